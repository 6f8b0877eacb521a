/**
 * Lambda entry of the retention sweep (EventBridge schedule, hourly): one `retention` job per
 * environment of every organization; the retention worker then queues cleanups by plan.
 */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { startRetentionSchedule } from "../retention-schedule.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));
const sweep = startRetentionSchedule({
  orgStore: core.orgs,
  jobs: core.jobs,
  logger,
  orgIds: () => core.orgs.listOrgIds(),
  intervalMs: 0,
});

export const handler = async (): Promise<{ jobs: number }> => ({ jobs: await sweep.runNow() });
