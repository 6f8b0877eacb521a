/**
 * Every job kind's SQS handler, built from the core: the one list the local pollers and the
 * Lambda entries share (each Lambda entry exports its own kind's handler).
 */
import type { Core } from "../core/index.ts";
import type { JobKind, Logger } from "../core/ports.ts";
import {
  createCleanupJob,
  createCompactLogsJob,
  createRetentionJob,
  createUnpackArtifactsJob,
  insightsAfterUnpack,
} from "./jobs.ts";
import { createSqsHandler, type SqsBatchResponse, type SqsEvent } from "./sqs-handler.ts";
import { webhookHandlers } from "./webhook-handlers.ts";

export type JobHandlers = Record<JobKind, (event: SqsEvent) => Promise<SqsBatchResponse>>;

export function createJobHandlers(core: Core, logger: Logger = core.logger): JobHandlers {
  return {
    cleanup: createSqsHandler(
      "cleanup",
      createCleanupJob({ logs: core.logs, artifacts: core.artifacts }),
      logger,
    ),
    "compact-logs": createSqsHandler("compact-logs", createCompactLogsJob({ logs: core.logs }), logger),
    "unpack-artifacts": createSqsHandler(
      "unpack-artifacts",
      createUnpackArtifactsJob({ unpacker: core.unpacker, afterUnpack: insightsAfterUnpack(core.insights) }),
      logger,
    ),
    retention: createSqsHandler(
      "retention",
      createRetentionJob({
        executions: core.executions,
        orgStore: core.orgs,
        jobs: core.jobs,
        clock: core.clock,
      }),
      logger,
    ),
    ...webhookHandlers(core.webhookJobs, logger),
    insights: createSqsHandler("insights", core.insightsJob, logger),
  };
}
