/**
 * The plan runner's outcome rules, pure: when a child's status fails its group (or, for
 * parallel workers, the fan-out), how a group's own process and its children make its outcome,
 * how `negative` turns an outcome around, and what a unit's exit means for its step. run-plan.ts
 * applies them; outcome-rules.test.ts holds them as tables.
 */
import type { RunnerStep, StepEvent, StepFinalStatus } from "./types.ts";

/** A step's result before it is reported. */
export interface Outcome {
  status: StepFinalStatus;
  exitCode?: number | undefined;
  message?: string | undefined;
  cpuPeakPercent?: number | undefined;
  memoryPeakBytes?: number | undefined;
}

/** A child fails its group unless it passed, was skipped, or is optional. */
export const failsGroup = (status: StepFinalStatus, optional: boolean): boolean =>
  status !== "passed" && status !== "skipped" && !optional;

/** A worker fails the fan-out like a child fails a group, except when it was aborted (cancelled). */
export const failsWorkers = (status: StepFinalStatus, optional: boolean): boolean =>
  failsGroup(status, optional) && status !== "aborted";

/** What a group saw while its body ran. */
export interface GroupFacts {
  /** The group's own process outcome, when it has one (and it passed). */
  own?: Outcome | undefined;
  hasChildren: boolean;
  timedOut: boolean;
  childAborted: boolean;
  childFailed: boolean;
  /** The run-wide abort reason, if the run was aborted. */
  abortReason?: string | undefined;
}

/** A group's outcome: timeout before abort before failure; peaks are added by the caller. */
export const groupOutcome = (facts: GroupFacts): Outcome => {
  if (!facts.hasChildren) return facts.own ?? { status: "passed" };
  const base = { exitCode: facts.own?.exitCode };
  if (facts.timedOut) return { ...base, status: "timeout", message: "timed out" };
  if (facts.childAborted)
    return { ...base, status: "aborted", message: `aborted: ${facts.abortReason ?? "cancelled"}` };
  if (facts.childFailed) return { ...base, status: "failed", message: "a step inside failed" };
  return { ...base, status: "passed" };
};

/** `negative: true` swaps passed and failed; other statuses stay. */
export const applyNegative = (outcome: Outcome, negative: boolean): Outcome => {
  if (!negative || (outcome.status !== "passed" && outcome.status !== "failed")) return outcome;
  return outcome.status === "passed"
    ? { ...outcome, status: "failed", message: "passed, but the step is negative (expected to fail)" }
    : { ...outcome, status: "passed", message: `negative step: ${outcome.message ?? "failed"} as expected` };
};

/** How a unit ended, as the runner sees it. */
export interface UnitEnd {
  exitCode: number;
  signal?: string | undefined;
  startError?: string | undefined;
  reason?: string | undefined;
  killedBy?: "timeout" | "abort" | "cancel" | "stop" | undefined;
}

/**
 * A step's outcome from its unit's end. `cancelled` is the outcome of a fail-fast cancel (the
 * caller knows the scope's reason); `abortReason` names the run-wide abort.
 */
export const exitOutcome = (end: UnitEnd, cancelled: Outcome, abortReason: string | undefined): Outcome => {
  // A unit killed while it was being prepared (an image pull) ends as its killer says.
  if (end.startError !== undefined && (end.killedBy === undefined || end.killedBy === "stop"))
    return { status: "failed", exitCode: -1, message: end.startError };
  if (end.killedBy === "timeout") return { status: "timeout", exitCode: -1, message: "timed out" };
  if (end.killedBy === "cancel") return { ...cancelled, exitCode: -1 };
  if (end.killedBy === "abort")
    return { status: "aborted", exitCode: -1, message: `aborted: ${abortReason}` };
  if (end.exitCode === 0) return { status: "passed", exitCode: 0 };
  const why =
    end.reason !== undefined
      ? `${end.reason} (exit code ${end.exitCode})`
      : end.signal !== undefined
        ? `killed by ${end.signal}`
        : `exit code ${end.exitCode}`;
  return { status: "failed", exitCode: end.exitCode, message: why };
};

/** The highest peaks among a group's own process and its descendants' last events. */
export const peaksOf = (
  step: RunnerStep,
  own: Outcome | undefined,
  events: ReadonlyMap<string, StepEvent>,
) => {
  let cpu = own?.cpuPeakPercent;
  let memory = own?.memoryPeakBytes;
  const visit = (list: RunnerStep[]) => {
    for (const child of list) {
      const event = events.get(child.ref);
      if (event?.cpuPeakPercent !== undefined) cpu = Math.max(cpu ?? 0, event.cpuPeakPercent);
      if (event?.memoryPeakBytes !== undefined) memory = Math.max(memory ?? 0, event.memoryPeakBytes);
      visit(child.steps);
    }
  };
  visit(step.steps);
  return { cpuPeakPercent: cpu, memoryPeakBytes: memory };
};
