/**
 * The lost-execution reaper: an execution whose agent stopped renewing its lease (no heartbeat
 * for the lease's lifetime) is marked `lost` with a reason, so nothing stays `running` forever.
 * The transition is conditional on the lease still being expired, so a renewal that lands
 * between the index read and the write wins. An agent that comes back with a lost execution
 * is told to stop it by the ingress.
 */
import { statusSubject } from "./executions.ts";
import type { Bus, Clock, ExecutionStore, Logger } from "./ports.ts";

export function createReaper(deps: { executions: ExecutionStore; bus: Bus; clock: Clock; logger: Logger }) {
  const { executions, bus, clock, logger } = deps;

  return {
    /** Marks every execution with an expired lease lost; returns how many it marked. */
    async reap(batchSize = 100): Promise<number> {
      let marked = 0;
      for (;;) {
        const now = clock.now();
        const expired = await executions.listExpiredLeases(now, batchSize);
        let progressed = 0;
        for (const ref of expired) {
          const lost = await executions.transition(ref.orgId, ref.envId, ref.id, {
            from: ["assigned", "running"],
            leaseExpiredBeforeMs: now,
            set: {
              status: "lost",
              finishedAt: new Date(now).toISOString(),
              message: "the agent stopped sending heartbeats and its lease expired",
              leaseExpiresAtMs: undefined,
            },
          });
          if (!lost) continue;
          progressed++;
          logger.warn({ executionId: ref.id, orgId: ref.orgId, envId: ref.envId }, "execution lost");
          await bus.publish(statusSubject(ref.id), new TextEncoder().encode("lost")).catch(() => {});
        }
        marked += progressed;
        if (expired.length < batchSize || progressed === 0) return marked;
      }
    },
  };
}

export type Reaper = ReturnType<typeof createReaper>;
