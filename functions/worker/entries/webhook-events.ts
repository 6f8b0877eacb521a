/** Lambda entry of the webhook events worker (SQS): fans a run's lifecycle phase out to deliveries. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createJobHandlers } from "../job-handlers.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createJobHandlers(core, logger)["webhook-events"];
