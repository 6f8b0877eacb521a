/**
 * Enforces the plan's concurrent-execution limit by wrapping the ExecutionStore: creating an
 * execution first takes a run slot of its org (`resource_exhausted` when the plan's slots are
 * all taken), and the one transition that moves it into a terminal status gives the slot back.
 * Conditional transitions succeed once, so a slot is released once. Every writer of executions
 * gets the wrapped store from createCore, so no path forgets the accounting.
 *
 * Known gap: a process that dies between taking a slot and creating the execution leaks one
 * slot until an operator resets the counter (a reconciling sweep is future work).
 */
import { AppError, isTerminal } from "@assay/shared";
import { limitsOf } from "./plans.ts";
import type { ExecutionStore, RunSlots, TenantStore } from "./ports.ts";

export function withRunSlots(
  inner: ExecutionStore,
  deps: { slots: RunSlots; tenants: TenantStore },
): ExecutionStore {
  const { slots } = deps;
  return {
    ...inner,
    async create(execution) {
      const org = await deps.tenants.getOrg(execution.orgId);
      const limit = limitsOf(org?.plan ?? "free").concurrentExecutions;
      if (!(await slots.acquire(execution.orgId, limit))) {
        throw new AppError(
          "resource_exhausted",
          `plan limit reached: at most ${limit} concurrent executions (queued or running) in this organization`,
          { retryAfterSeconds: 30 },
        );
      }
      try {
        await inner.create(execution);
      } catch (error) {
        await slots.release(execution.orgId);
        throw error;
      }
    },

    async transition(orgId, envId, id, t) {
      const updated = await inner.transition(orgId, envId, id, t);
      const ends = t.set.status !== undefined && isTerminal(t.set.status) && !t.from.some(isTerminal);
      if (updated && ends) await slots.release(orgId);
      return updated;
    },

    get: (...a) => inner.get(...a),
    list: (...a) => inner.list(...a),
    listQueued: (...a) => inner.listQueued(...a),
    listActiveForAgent: (...a) => inner.listActiveForAgent(...a),
    updateStep: (...a) => inner.updateStep(...a),
    recordLogBytes: (...a) => inner.recordLogBytes(...a),
    delete: (...a) => inner.delete(...a),
  };
}
