/**
 * The plan's run limits: at most `concurrentExecutions` runs of an organization hold an agent
 * (assigned or running: a run slot each), and at most the plan's queue bound wait queued (a
 * queue place each). Starting a run takes a queue place (`resource_exhausted` only when the
 * queue is full); the claim trades it for a run slot, or leaves the run queued until one frees.
 * The lifecycle (lifecycle/transitions.ts) says which transition takes or gives back what.
 *
 * Holds are sets of execution ids, so a process that dies between taking a hold and the write
 * that justifies it leaves a holder that can be recognised: when a pool is full its holders
 * are checked against their executions (at most every `repairIntervalMs` per org and pool)
 * and those whose execution is missing or finished are dropped, and so are queue places of
 * runs that left the queue. A run slot of a still-queued run may be a claim in flight (the slot
 * is taken just before the write): it is dropped only when a later repair finds it so again.
 */
import { AppError, isTerminal } from "@assay/shared";
import { decodeTime } from "ulid";
import { HOLDERS } from "./lifecycle/transitions.ts";
import { limitsOf, queueLimitOf } from "./plans.ts";
import type { Clock, ExecutionRef, ExecutionStore, OrgStore, RunPool, RunSlots } from "./ports.ts";

/** A hold newer than this is never dropped as missing: its execution may be being stored. */
const MISSING_GRACE_MS = 60_000;

export interface RunSlotGate {
  /** Takes a queue place for a new run; throws `resource_exhausted` when the plan's queue is full. */
  takeQueuePlace(ref: ExecutionRef): Promise<void>;
  /** Takes a queue place back for a run returned to the queue (never refused). */
  retakeQueuePlace(ref: ExecutionRef): Promise<void>;
  freeQueuePlace(ref: ExecutionRef): Promise<void>;
  /** Takes a run slot; false when the plan's run slots are all held. */
  takeRunSlot(ref: ExecutionRef): Promise<boolean>;
  freeRunSlot(ref: ExecutionRef): Promise<void>;
  /** Drops holders that should not hold (see the module header); returns how many. */
  repair(orgId: string, pool: RunPool): Promise<number>;
}

const holderOf = (ref: ExecutionRef) => `${ref.envId}/${ref.id}`;

export function createRunSlotGate(deps: {
  slots: RunSlots;
  orgStore: OrgStore;
  executions: ExecutionStore;
  clock: Clock;
  repairIntervalMs?: number;
}): RunSlotGate {
  const { slots, clock } = deps;
  const repairIntervalMs = deps.repairIntervalMs ?? 10_000;
  const lastRepair = new Map<string, number>();
  /** Run slots of queued runs seen by the last repair of each org, and when. */
  const suspects = new Map<string, number>();
  const planOf = async (orgId: string) => (await deps.orgStore.getOrg(orgId))?.plan ?? "free";

  /** "stale" holds are dropped; a "suspect" one only when an earlier repair found it so too. */
  async function judge(orgId: string, pool: RunPool, holder: string): Promise<"fine" | "suspect" | "stale"> {
    const [envId = "", id = ""] = holder.split("/");
    const execution = await deps.executions.get({ orgId, envId, id });
    if (!execution) {
      let bornMs = 0;
      try {
        bornMs = decodeTime(id);
      } catch {
        return "stale";
      }
      return clock.now() - bornMs > MISSING_GRACE_MS ? "stale" : "fine";
    }
    if (isTerminal(execution.status)) return "stale";
    const holds: readonly string[] = pool === "queued" ? HOLDERS.queuePlace : HOLDERS.runSlot;
    if (holds.includes(execution.status)) return "fine";
    return pool === "queued" ? "stale" : "suspect";
  }

  async function repair(orgId: string, pool: RunPool): Promise<number> {
    let dropped = 0;
    // Suspects released meanwhile by their own transitions are forgotten in bulk, now and then.
    if (suspects.size > 10_000) suspects.clear();
    for (const holder of await slots.holders(orgId, pool)) {
      const key = `${orgId}/${pool}/${holder}`;
      const verdict = await judge(orgId, pool, holder);
      if (verdict === "fine") {
        suspects.delete(key);
        continue;
      }
      const firstSeenMs = suspects.get(key);
      if (
        verdict === "suspect" &&
        (firstSeenMs === undefined || clock.now() - firstSeenMs < repairIntervalMs)
      ) {
        suspects.set(key, firstSeenMs ?? clock.now());
        continue;
      }
      suspects.delete(key);
      await slots.release(orgId, pool, holder);
      dropped++;
    }
    return dropped;
  }

  /** Takes a hold; when the pool is full, repairs it (throttled) and tries once more. */
  async function take(ref: ExecutionRef, pool: RunPool, limit: number): Promise<boolean> {
    const holder = holderOf(ref);
    if (await slots.acquire(ref.orgId, pool, holder, limit)) return true;
    const key = `${ref.orgId}/${pool}`;
    const last = lastRepair.get(key);
    if (last !== undefined && clock.now() - last < repairIntervalMs) return false;
    lastRepair.set(key, clock.now());
    if ((await repair(ref.orgId, pool)) === 0) return false;
    return slots.acquire(ref.orgId, pool, holder, limit);
  }

  return {
    async takeQueuePlace(ref) {
      const limit = queueLimitOf(await planOf(ref.orgId));
      if (!(await take(ref, "queued", limit))) {
        throw new AppError(
          "resource_exhausted",
          `plan limit reached: at most ${limit} queued executions in this organization`,
          { retryAfterSeconds: 30 },
        );
      }
    },
    retakeQueuePlace: (ref) =>
      slots.acquire(ref.orgId, "queued", holderOf(ref), Number.MAX_SAFE_INTEGER).then(() => {}),
    freeQueuePlace: (ref) => slots.release(ref.orgId, "queued", holderOf(ref)),
    async takeRunSlot(ref) {
      return take(ref, "running", limitsOf(await planOf(ref.orgId)).concurrentExecutions);
    },
    freeRunSlot: (ref) => slots.release(ref.orgId, "running", holderOf(ref)),
    repair,
  };
}
