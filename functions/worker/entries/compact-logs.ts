/** Lambda entry of the log compaction worker (SQS): one object plus an index per finished execution. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createCompactLogsJob } from "../jobs.ts";
import { createSqsHandler } from "../sqs-handler.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createSqsHandler("compact-logs", createCompactLogsJob({ logs: core.logs }), logger);
