/**
 * Performs the transitions of `transitions.ts`: `apply(target, event, input)` takes the event's
 * admission holds, makes the one conditional write, and then runs the event's effects in the
 * table's order. A write that does not happen (another writer won, the status moved on) gives
 * back what admission took and has no effects. The effects are the place to hook anything that
 * follows an execution's start or end (`observers`).
 */
import { type Execution, type ExecutionStatus, isTerminal, sleep } from "@assay/shared";
import { acquireSlot, releaseSlot } from "../concurrency.ts";
import type { ConcurrencyGroups } from "../ports/concurrency-groups.ts";
import type {
  Bus,
  Clock,
  ExecutionRef,
  ExecutionStore,
  ExecutionTransition,
  JobQueue,
  Logger,
} from "../ports.ts";
import type { RunSlotGate } from "../run-slots.ts";
import { encodeSlotFreed, statusSubject, workSubject } from "./subjects.ts";
import { type Admission, type Effect, HOLDERS, type LifecycleEvent, TRANSITIONS } from "./transitions.ts";

/** What observers are told of: a run entered the queue (`create`) or a transition happened. */
export type ObservedEvent = LifecycleEvent | "create";

/** Called after every transition whose effects include `observe`; a failure is logged only. */
export type LifecycleObserver = (event: ObservedEvent, execution: Execution) => Promise<void> | void;

export interface ApplyInput {
  /** Fields the write sets besides the status (for `finish`, `status` names the final one). */
  set?: ExecutionTransition["set"];
  /** The execution must be held by this agent. */
  agentId?: string;
  /** The execution's lease must have expired before this time (epoch ms). */
  leaseExpiredBeforeMs?: number;
  /**
   * The record may still be being stored (a run's doorbell rings while its record is written,
   * so the claimer's admission runs beside that write): while it is missing, the holds are kept
   * and the write is tried again once it is there, for up to this long.
   */
  awaitRecordMs?: number;
}

/** What `apply` needs to know of the execution: where it is, and its group for admission. */
export type LifecycleTarget = ExecutionRef & Partial<Pick<Execution, "concurrency" | "parent">>;

export interface LifecycleDeps {
  executions: ExecutionStore;
  runSlots: RunSlotGate;
  concurrency?: ConcurrencyGroups;
  bus: Bus;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  /** The committed length of an execution's log in storage. */
  logLength: (ref: ExecutionRef) => Promise<number>;
  observers?: LifecycleObserver[];
}

export function createLifecycle(deps: LifecycleDeps) {
  const { executions, runSlots, bus, clock } = deps;
  const observers = deps.observers ?? [];

  /** Takes the holds; on a refusal gives back those taken and says which one was refused. */
  async function admit(target: LifecycleTarget, admission: readonly Admission[]) {
    const taken: Admission[] = [];
    for (const hold of admission) {
      // A child of an `execute` step runs inside its parent's run slot: the parent holds one
      // while it waits, so a child needing its own could never start on a full plan.
      if (hold === "runSlot" && target.parent !== undefined) continue;
      const ok =
        hold === "runSlot"
          ? await runSlots.takeRunSlot(target)
          : await acquireSlot(deps.concurrency, target as Execution);
      if (!ok) {
        await giveBack(target, taken);
        return hold;
      }
      taken.push(hold);
    }
    return undefined;
  }

  async function giveBack(target: LifecycleTarget, taken: readonly Admission[]) {
    for (const hold of taken) {
      if (hold === "runSlot") await runSlots.freeRunSlot(target);
      else await releaseSlot(deps.concurrency, target as Execution);
    }
  }

  async function observe(event: ObservedEvent, execution: Execution) {
    for (const observer of observers) {
      try {
        await observer(event, execution);
      } catch (error) {
        deps.logger.warn(
          { executionId: execution.id, event, err: String(error) },
          "lifecycle observer failed",
        );
      }
    }
  }

  /**
   * Holds are per execution, not per claimer: when another claimer's write won, the holds are
   * its own now and stay. Only a write that lost to a move elsewhere (an abort) gives them back.
   */
  async function giveBackUnlessWon(target: LifecycleTarget, taken: readonly Admission[]) {
    const now = await executions.get(target);
    const heldByWinner = now !== undefined && (HOLDERS.runSlot as readonly string[]).includes(now.status);
    if (!heldByWinner) await giveBack(target, taken);
  }

  const announce = (execution: Execution) =>
    bus.publish(statusSubject(execution.id), new TextEncoder().encode(execution.status)).catch(() => {});

  const ring = (e: Execution, doorbell: Uint8Array) =>
    bus.publish(workSubject(e), doorbell).catch(() => {
      // A lost doorbell costs latency only: the ingress sweeps for queued work.
    });

  const EFFECTS: Record<
    Effect,
    (event: LifecycleEvent, execution: Execution) => Promise<unknown> | undefined
  > = {
    freeQueuePlace: (_, e) => runSlots.freeQueuePlace(e),
    // Not waited for (the agent's command goes out first); one lost with a crashed process is
    // dropped by the next repair of a full queue (the run is no longer queued).
    freeQueuePlaceLater: (_, e) => {
      void runSlots.freeQueuePlace(e).catch((error: unknown) => {
        deps.logger.warn({ executionId: e.id, err: String(error) }, "queue place not given back");
      });
      return undefined;
    },
    retakeQueuePlace: (_, e) => runSlots.retakeQueuePlace(e),
    freeRunSlot: (_, e) => runSlots.freeRunSlot(e),
    freeGroupSlot: (_, e) => releaseSlot(deps.concurrency, e),
    announce: (_, e) => announce(e),
    announceLater: (_, e) => {
      void announce(e);
      return undefined;
    },
    ring: (_, e) => ring(e, new Uint8Array()),
    ringFreed: (_, e) => ring(e, encodeSlotFreed()),
    compactLogs: (_, e) =>
      deps.jobs
        .send({
          kind: "compact-logs",
          id: e.id,
          payload: { orgId: e.orgId, envId: e.envId, executionId: e.id },
        })
        .catch(() => {
          // Compaction is an optimisation: uncompacted chunks read the same.
        }),
    observe: (event, e) => observe(event, e),
  };

  async function write(target: LifecycleTarget, event: LifecycleEvent, input: ApplyInput) {
    const rule = TRANSITIONS[event];
    const set: ExecutionTransition["set"] = { ...input.set };
    if (rule.to === "final") {
      if (set.status === undefined || !isTerminal(set.status)) {
        throw new Error(`lifecycle: ${event} needs a final status, got ${set.status}`);
      }
    } else if (rule.to !== undefined) {
      set.status = rule.to;
    } else {
      delete set.status;
    }
    if (rule.measuresLog && set.logBytes === undefined) set.logBytes = await deps.logLength(target);
    return executions.transition(target, {
      from: rule.from,
      set,
      ...(input.agentId === undefined ? {} : { agentId: input.agentId }),
      ...(input.leaseExpiredBeforeMs === undefined
        ? {}
        : { leaseExpiredBeforeMs: input.leaseExpiredBeforeMs }),
    });
  }

  /**
   * The write of `event` once the record exists (see `awaitRecordMs`): undefined when it did not
   * appear in time or is no longer in a status the event may happen in.
   */
  async function writeOnceStored(target: LifecycleTarget, event: LifecycleEvent, input: ApplyInput) {
    const deadline = clock.now() + (input.awaitRecordMs ?? 0);
    for (let waitMs = 2; ; waitMs = Math.min(waitMs * 2, 100)) {
      const stored = await executions.get(target);
      if (stored !== undefined) {
        if (!TRANSITIONS[event].from.includes(stored.status)) return undefined;
        return write(target, event, input);
      }
      if (clock.now() >= deadline) return undefined;
      await sleep(clock, waitMs);
    }
  }

  /** Applies `event`: the updated execution, the admission hold refused, or neither (missed). */
  async function attempt(
    target: LifecycleTarget,
    event: LifecycleEvent,
    input: ApplyInput = {},
  ): Promise<{ execution?: Execution; refused?: Admission }> {
    const rule = TRANSITIONS[event];
    const refused = rule.admission.length > 0 ? await admit(target, rule.admission) : undefined;
    if (refused) return { refused };
    let updated: Execution | undefined;
    try {
      updated = await write(target, event, input);
      if (!updated && input.awaitRecordMs !== undefined)
        updated = await writeOnceStored(target, event, input);
    } finally {
      if (!updated && rule.admission.length > 0) await giveBackUnlessWon(target, rule.admission);
    }
    if (!updated) return {};
    for (const effect of rule.effects) await EFFECTS[effect](event, updated);
    return { execution: updated };
  }

  return {
    attempt,
    /** A run was stored queued: observers hear of it (the write is the start use-case's). */
    created: (execution: Execution) => observe("create", execution),
    /**
     * Applies `event` to the execution: the updated execution, or undefined when the
     * transition did not happen (its status was not one the event may happen in, the agent or
     * lease did not match, or admission was refused).
     */
    apply: async (target: LifecycleTarget, event: LifecycleEvent, input: ApplyInput = {}) =>
      (await attempt(target, event, input)).execution,
    /** The statuses `event` may happen in (for callers that must tell "too late" from "not yours"). */
    allowedFrom: (event: LifecycleEvent): readonly ExecutionStatus[] => TRANSITIONS[event].from,
    now: () => new Date(clock.now()).toISOString(),
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
