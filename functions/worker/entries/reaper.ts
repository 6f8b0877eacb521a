/**
 * Lambda entry of the lost-execution reaper. EventBridge schedules run at most once a minute, so
 * each invocation reaps twice, 30 s apart (the function's timeout allows for it): with 90 s
 * leases, a vanished agent's executions are lost within two minutes.
 */
import { createReaper } from "../../core/reaper.ts";
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";

const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const reaper = createReaper({ executions: core.ports.executions, bus, clock: core.ports.clock, logger });

export const handler = async (): Promise<{ lost: number }> => {
  const first = await reaper.reap();
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  return { lost: first + (await reaper.reap()) };
};
