/**
 * The execution lifecycle as one table: for each event, the statuses it may happen in, the
 * status it leads to, what must be taken before the write (admission) and what follows it
 * (effects). This is the only place that lists transitions; `lifecycle.ts` performs them.
 *
 *   queued --claim--> assigned --start--> running --finish--> passed|failed|aborted|timeout
 *   queued --cancel--> canceled          assigned|running --lose--> lost
 *   assigned --requeue--> queued         assigned|running --terminate--> aborted
 *   running --requestPause / reportPause--> running (the pause is a field, not a status)
 *
 * Run slots (the plan's concurrency) are held by assigned and running executions; queue places
 * (the plan's bounded queue) by queued ones; a `spec.concurrency` group slot by its assigned
 * and running members. Every transition that changes which of those an execution is in takes
 * or gives back the matching hold, so the holds follow the statuses.
 */
import type { ExecutionStatus } from "@assay/shared";

export type LifecycleEvent =
  | "claim"
  | "start"
  | "finish"
  | "lose"
  | "terminate"
  | "requeue"
  | "cancel"
  | "requestAbort"
  | "requestPause"
  | "reportPause"
  | "renewLease";

/** Holds taken before the write; each is given back when the write does not happen. */
export type Admission = "runSlot" | "groupSlot";

/**
 * What follows a successful write, in this order:
 * - `freeQueuePlace` / `retakeQueuePlace`: the plan's queue place of a queued execution
 *   (`freeQueuePlaceLater`: the same without waiting)
 * - `freeRunSlot` / `freeGroupSlot`: the plan's run slot and the concurrency group's slot
 * - `announce`: the status on `exec.{id}.status` (watchers, live status)
 * - `announceLater`: the same without waiting (the agent's command goes out first)
 * - `ring`: the environment's doorbell (queued work or an abort to forward)
 * - `ringFreed`: the environment's doorbell saying a run slot was given back (queued work only)
 * - `compactLogs`: the log compaction job
 * - `observe`: the observers given to the lifecycle (webhooks and the like)
 */
export type Effect =
  | "freeQueuePlace"
  | "freeQueuePlaceLater"
  | "retakeQueuePlace"
  | "freeRunSlot"
  | "freeGroupSlot"
  | "announce"
  | "announceLater"
  | "ring"
  | "ringFreed"
  | "compactLogs"
  | "observe";

export interface TransitionRule {
  from: readonly ExecutionStatus[];
  /** The new status; `final` means the one the patch names (a terminal status). */
  to?: ExecutionStatus | "final";
  admission: readonly Admission[];
  effects: readonly Effect[];
  /** The write records the log length found in storage (the agent did not report one). */
  measuresLog?: true;
}

const ACTIVE = ["assigned", "running"] as const;
// A freed run slot may let a queued run of the environment start: each rings for it.
const LEAVES_ACTIVE: readonly Effect[] = ["freeRunSlot", "freeGroupSlot", "announce", "observe", "ringFreed"];

export const TRANSITIONS: Readonly<Record<LifecycleEvent, TransitionRule>> = {
  claim: {
    from: ["queued"],
    to: "assigned",
    admission: ["runSlot", "groupSlot"],
    effects: ["freeQueuePlaceLater", "announceLater", "observe"],
  },
  start: { from: ["assigned"], to: "running", admission: [], effects: ["announce", "observe"] },
  finish: { from: ACTIVE, to: "final", admission: [], effects: [...LEAVES_ACTIVE, "compactLogs"] },
  lose: { from: ACTIVE, to: "lost", admission: [], effects: LEAVES_ACTIVE, measuresLog: true },
  terminate: { from: ACTIVE, to: "aborted", admission: [], effects: LEAVES_ACTIVE },
  requeue: {
    from: ["assigned"],
    to: "queued",
    admission: [],
    effects: ["freeRunSlot", "freeGroupSlot", "retakeQueuePlace", "announce", "ring", "observe"],
  },
  cancel: {
    from: ["queued"],
    to: "canceled",
    admission: [],
    effects: ["freeQueuePlace", "announce", "observe"],
  },
  requestAbort: { from: ACTIVE, admission: [], effects: ["ring"] },
  // Pause and resume travel like aborts: the doorbell makes the agent's ingress tell it.
  requestPause: { from: ["running"], admission: [], effects: ["ring", "announce"] },
  // The agent paused or resumed it (a `paused` step, or the command above).
  reportPause: { from: ACTIVE, admission: [], effects: ["announce"] },
  renewLease: { from: ACTIVE, admission: [], effects: [] },
};

/** Statuses in which an execution holds each kind of hold (for repairs and tests). */
export const HOLDERS = {
  queuePlace: ["queued"],
  runSlot: ACTIVE,
} as const satisfies Record<string, readonly ExecutionStatus[]>;
