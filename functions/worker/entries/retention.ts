/** Lambda entry of the retention worker (SQS): one environment's expired logs and artifacts get cleanup jobs. */
import { systemClock } from "../../core/ports.ts";
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createRetentionJob } from "../jobs.ts";
import { createSqsHandler } from "../sqs-handler.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createSqsHandler(
  "retention",
  createRetentionJob({
    executions: core.ports.executions,
    tenants: core.ports.tenants,
    jobs: core.ports.jobs,
    clock: systemClock,
  }),
  logger,
);
