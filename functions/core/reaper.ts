/**
 * The lost-execution reaper: an execution whose agent stopped renewing its lease (no heartbeat
 * for the lease's lifetime) is settled, so nothing stays `assigned` or `running` forever. One
 * that never started (the agent vanished between the claim and the start) goes back to the
 * queue for another agent; one that was running is marked `lost` with a reason and the log
 * length found in storage. Both transitions are conditional on the lease still being expired,
 * so a renewal that lands between the index read and the write wins. An agent that comes back
 * with a lost execution is told to stop it by the ingress. A queued execution whose lease (its
 * `spec.timeouts.queue` deadline, see queue-timeout.ts) passed is canceled with the reason.
 */
import type { Lifecycle } from "./lifecycle/lifecycle.ts";
import type { Clock, ExecutionStore, Logger } from "./ports.ts";
import { QUEUE_TIMEOUT_MESSAGE } from "./queue-timeout.ts";

export function createReaper(deps: {
  executions: Pick<ExecutionStore, "listExpiredLeases">;
  lifecycle: Lifecycle;
  clock: Clock;
  logger: Logger;
}) {
  const { executions, lifecycle, clock, logger } = deps;

  return {
    /** Settles every execution with an expired lease; returns how many it settled. */
    async reap(batchSize = 100): Promise<number> {
      let settled = 0;
      for (;;) {
        const now = clock.now();
        const expired = await executions.listExpiredLeases(now, batchSize);
        let progressed = 0;
        for (const ref of expired) {
          const requeued = await lifecycle.apply(ref, "requeue", {
            leaseExpiredBeforeMs: now,
            set: { agentId: undefined, assignedAt: undefined, leaseExpiresAtMs: undefined },
          });
          const lost =
            requeued ??
            (await lifecycle.apply(ref, "lose", {
              leaseExpiredBeforeMs: now,
              set: {
                finishedAt: new Date(now).toISOString(),
                message: "the agent stopped sending heartbeats and its lease expired",
                leaseExpiresAtMs: undefined,
              },
            }));
          // Still queued past `spec.timeouts.queue`: canceled, as Testkube cancels a queued run.
          const settledRun =
            lost ??
            (await lifecycle.apply(ref, "cancel", {
              leaseExpiredBeforeMs: now,
              set: {
                finishedAt: new Date(now).toISOString(),
                message: QUEUE_TIMEOUT_MESSAGE,
                leaseExpiresAtMs: undefined,
              },
            }));
          if (!settledRun) continue;
          progressed++;
          logger.warn(
            { executionId: ref.id, orgId: ref.orgId, envId: ref.envId, status: settledRun.status },
            requeued
              ? "unstarted execution requeued"
              : lost
                ? "execution lost"
                : "queue timeout: execution canceled",
          );
        }
        settled += progressed;
        if (expired.length < batchSize || progressed === 0) return settled;
      }
    },
  };
}

export type Reaper = ReturnType<typeof createReaper>;
