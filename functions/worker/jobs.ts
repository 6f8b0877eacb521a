/** The background jobs. Each is idempotent: running it twice leaves the same state. */
import { z } from "zod";
import type { LogService } from "../core/logs.ts";
import type { BlobStore, Job } from "../core/ports.ts";

const ExecutionJob = z.object({
  orgId: z.string().min(1),
  envId: z.string().min(1),
  executionId: z.string().min(1),
});

/** Removes everything an execution stored: logs and artifacts. */
export function createCleanupJob(deps: { logs: LogService; artifacts: BlobStore }) {
  return async (job: Job) => {
    const { orgId, envId, executionId } = ExecutionJob.parse(job.payload);
    await deps.logs.remove(orgId, envId, executionId);
    const prefix = `artifacts/${orgId}/${envId}/${executionId}/`;
    await deps.artifacts.delete((await deps.artifacts.list(prefix)).map((o) => o.key));
  };
}

/** Compacts a finished execution's log chunks into one object plus an index. */
export function createCompactLogsJob(deps: { logs: LogService }) {
  return async (job: Job) => {
    const { orgId, envId, executionId } = ExecutionJob.parse(job.payload);
    await deps.logs.compact(orgId, envId, executionId);
  };
}
