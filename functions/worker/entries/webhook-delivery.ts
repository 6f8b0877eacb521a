/** Lambda entry of the webhook delivery worker (SQS): sends one event to one webhook, retrying by schedule. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createJobHandlers } from "../job-handlers.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createJobHandlers(core, logger)["webhook-delivery"];
