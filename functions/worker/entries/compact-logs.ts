/** Lambda entry of the log compaction worker (SQS): one object plus an index per finished execution. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createJobHandlers } from "../job-handlers.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createJobHandlers(core, logger)["compact-logs"];
