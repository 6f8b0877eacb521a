/**
 * Enforces the plan's concurrent-execution limit. Starting a run takes a run slot of its org
 * (`resource_exhausted` when the plan's slots are all taken) before the execution is stored, and
 * the one transition that moves an execution into a terminal status gives the slot back.
 * Conditional transitions succeed once, so a slot is released once.
 *
 * Taking the slot is the run-start use-case's job (executions.ts: it overlaps the slot write
 * with the workflow read); giving it back is the store wrapper's, so every writer of terminal
 * transitions (agents, aborts, the reaper) gets the accounting from createCore.
 *
 * Known gap: a process that dies between taking a slot and creating the execution leaks one
 * slot until an operator resets the counter (a reconciling sweep is future work).
 */
import { AppError, isTerminal } from "@assay/shared";
import { limitsOf } from "./plans.ts";
import type { ExecutionStore, RunSlots, TenantStore } from "./ports.ts";

/** Takes and gives back run slots of an org against its plan's limit. */
export interface RunSlotGate {
  /** Takes a slot; throws `resource_exhausted` when the plan's slots are all taken. */
  take(orgId: string): Promise<void>;
  /** Gives back a slot taken for a run that was not stored after all. */
  give(orgId: string): Promise<void>;
}

export function createRunSlotGate(deps: { slots: RunSlots; tenants: TenantStore }): RunSlotGate {
  return {
    async take(orgId) {
      const org = await deps.tenants.getOrg(orgId);
      const limit = limitsOf(org?.plan ?? "free").concurrentExecutions;
      if (!(await deps.slots.acquire(orgId, limit))) {
        throw new AppError(
          "resource_exhausted",
          `plan limit reached: at most ${limit} concurrent executions (queued or running) in this organization`,
          { retryAfterSeconds: 30 },
        );
      }
    },
    give: (orgId) => deps.slots.release(orgId),
  };
}

/** The store with the slot given back by the transition that ends an execution. */
export function withRunSlots(inner: ExecutionStore, deps: { slots: RunSlots }): ExecutionStore {
  return {
    ...inner,
    async transition(orgId, envId, id, t) {
      const updated = await inner.transition(orgId, envId, id, t);
      const ends = t.set.status !== undefined && isTerminal(t.set.status) && !t.from.some(isTerminal);
      if (updated && ends) await deps.slots.release(orgId);
      return updated;
    },
  };
}
