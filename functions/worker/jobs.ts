/** The background jobs. Each is idempotent: running it twice leaves the same state. */
import { type Execution, isTerminal, type Page } from "@assay/shared";
import * as z from "zod";
import { internalPrincipal, type Principal } from "../core/access.ts";
import type { ArtifactService } from "../core/artifacts.ts";
import type { LogService } from "../core/logs.ts";
import type { EnvRef } from "../core/ports/refs.ts";
import type { Clock, ExecutionFilter, Job, JobQueue, OrgStore } from "../core/ports.ts";
import { type StorageLimits, storageLimitsOf } from "../core/storage-limits.ts";
import type { Unpacker } from "../core/unpack.ts";

const ExecutionJob = z.object({
  orgId: z.string().min(1),
  envId: z.string().min(1),
  executionId: z.string().min(1),
});

const CleanupJob = ExecutionJob.extend({
  /** What to remove: everything (a deleted execution) or one kind (retention). */
  scope: z.enum(["all", "logs", "artifacts"]).default("all"),
});

/** Removes what an execution stored: logs, artifacts (bundles, files, indexes, reports), or both. */
export function createCleanupJob(deps: {
  logs: Pick<LogService, "remove">;
  artifacts: Pick<ArtifactService, "remove">;
}) {
  return async (job: Job) => {
    const { orgId, envId, executionId, scope } = CleanupJob.parse(job.payload);
    if (scope !== "artifacts") await deps.logs.remove({ orgId, envId, id: executionId });
    if (scope !== "logs") await deps.artifacts.remove({ orgId, envId, id: executionId });
  };
}

/** Compacts a finished execution's log chunks into one object plus an index. */
export function createCompactLogsJob(deps: { logs: LogService }) {
  return async (job: Job) => {
    const { orgId, envId, executionId } = ExecutionJob.parse(job.payload);
    await deps.logs.compact({ orgId, envId, id: executionId });
  };
}

const UnpackJob = ExecutionJob.extend({
  bundleId: z.string().min(1),
  stepRef: z.string().default(""),
  sha256: z.string().optional(),
});

/**
 * Unpacks one uploaded bundle. A refused bundle (hostile, over the plan's limits) is a success
 * for the queue: its reason is recorded in the bundle's index and retrying cannot change it.
 */
export function createUnpackArtifactsJob(deps: {
  unpacker: Unpacker;
  /** Runs after a bundle was unpacked (insights read its JUnit report); must not throw. */
  afterUnpack?: (ref: { orgId: string; envId: string; id: string }, bundleId: string) => Promise<void>;
}) {
  return async (job: Job) => {
    const request = UnpackJob.parse(job.payload);
    const index = await deps.unpacker.unpack({ ...request, sha256: request.sha256 || undefined });
    if (index.status === "unpacked" && deps.afterUnpack) {
      await deps.afterUnpack(
        { orgId: request.orgId, envId: request.envId, id: request.executionId },
        request.bundleId,
      );
    }
  };
}

/** What a bundle's unpacking tells insights: a JUnit report may have appeared. */
export const insightsAfterUnpack =
  (
    insights:
      | {
          enqueue(
            ref: { orgId: string; envId: string; id: string },
            part: "tests",
            key: string,
          ): Promise<void>;
        }
      | undefined,
  ) =>
  async (ref: { orgId: string; envId: string; id: string }, bundleId: string) => {
    await insights?.enqueue(ref, "tests", bundleId);
  };

const RetentionJob = z.object({ orgId: z.string().min(1), envId: z.string().min(1) });

const DAY_MS = 24 * 3600 * 1000;

/**
 * Applies the plan's retention to one environment: finished executions older than the log or
 * artifact retention get a cleanup job for that kind of data. Runs from a schedule (a timer
 * locally, EventBridge in AWS); cleanup is idempotent, so overlapping sweeps are harmless. The
 * execution records stay (history and counts); only their stored bytes go.
 */
export function createRetentionJob(deps: {
  executions: {
    list(
      principal: Principal,
      env: EnvRef,
      filter: ExecutionFilter,
      page: { limit: number; cursor?: string },
    ): Promise<Page<Pick<Execution, "id" | "status" | "createdAt" | "finishedAt">>>;
  };
  orgStore: Pick<OrgStore, "getOrg">;
  jobs: JobQueue;
  clock: Clock;
  limitsOf?: (orgId: string) => Promise<StorageLimits>;
}) {
  const limitsOf =
    deps.limitsOf ?? (async (orgId: string) => storageLimitsOf((await deps.orgStore.getOrg(orgId))?.plan));
  return async (job: Job) => {
    const { orgId, envId } = RetentionJob.parse(job.payload);
    const limits = await limitsOf(orgId);
    const now = deps.clock.now();
    const logCutoff = now - limits.logRetentionDays * DAY_MS;
    const artifactCutoff = now - limits.artifactRetentionDays * DAY_MS;
    const oldest = Math.max(logCutoff, artifactCutoff);
    let cursor: string | undefined;
    do {
      const page = await deps.executions.list(
        internalPrincipal(orgId, "retention"),
        { orgId, envId },
        {},
        {
          limit: 100,
          cursor,
        },
      );
      for (const execution of page.items) {
        const finishedMs = Date.parse(execution.finishedAt ?? execution.createdAt);
        if (!isTerminal(execution.status) || finishedMs >= oldest) continue;
        const logs = finishedMs < logCutoff;
        const artifacts = finishedMs < artifactCutoff;
        const scope = logs && artifacts ? "all" : logs ? "logs" : "artifacts";
        await deps.jobs.send({
          kind: "cleanup",
          id: `retention.${execution.id}.${scope}`,
          payload: { orgId, envId, executionId: execution.id, scope },
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
  };
}
