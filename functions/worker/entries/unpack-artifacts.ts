/** Lambda entry of the artifact unpacking worker (SQS): one uploaded bundle into files, index and report. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createJobHandlers } from "../job-handlers.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createJobHandlers(core, logger)["unpack-artifacts"];
