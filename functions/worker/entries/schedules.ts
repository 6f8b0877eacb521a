/**
 * Lambda entry of the schedule dispatcher, invoked by an EventBridge rule every minute. Each
 * invocation sweeps every scheduled workflow; ticks are claimed in DynamoDB, so overlapping or
 * retried invocations never start a run twice (see core/schedules.ts).
 */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = async (): Promise<{ started: number }> => {
  if (core.schedules === undefined) throw new Error("schedules are not configured");
  const result = await core.schedules.dispatch();
  logger.info(result, "schedule sweep");
  return result;
};
