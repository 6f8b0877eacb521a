/** Lambda entry of the lost-execution reaper (EventBridge schedule, every minute). */
import { createReaper } from "../../core/reaper.ts";
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";

const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const reaper = createReaper({ executions: core.ports.executions, bus, clock: core.ports.clock, logger });

export const handler = async (): Promise<{ lost: number }> => ({ lost: await reaper.reap() });
