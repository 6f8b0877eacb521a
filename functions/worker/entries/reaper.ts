/**
 * Lambda entry of the lost-execution reaper. EventBridge schedules run at most once a minute, so
 * each invocation reaps twice, 30 s apart (the function's timeout allows for it): with 90 s
 * leases, a vanished agent's executions are lost within two minutes.
 */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";

const { core } = await buildAwsCore(loadAwsConfig(process.env));
const reaper = core.reaper;

export const handler = async (): Promise<{ lost: number }> => {
  const first = await reaper.reap();
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  return { lost: first + (await reaper.reap()) };
};
