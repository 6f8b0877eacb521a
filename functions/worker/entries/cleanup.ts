/** Lambda entry of the cleanup worker (SQS): removes a deleted execution's logs and artifacts. */
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createCleanupJob } from "../jobs.ts";
import { createSqsHandler } from "../sqs-handler.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));

export const handler = createSqsHandler(
  "cleanup",
  createCleanupJob({ logs: core.logs, artifacts: core.ports.artifactBlobs }),
  logger,
);
