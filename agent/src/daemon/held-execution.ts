/**
 * One execution the agent holds, from the run command until the control plane acknowledges its
 * result, and the protocol messages it yields. Its phase is explicit: `starting` while the
 * runner is being started, `running` while the runner has it, `finished` once the runner
 * returned, with the result message and whether it went out on the current stream.
 */
import {
  type AgentMessage,
  ExecutionStatus,
  LogStream,
  type RunCommand,
  StepStatus,
  type StepUpdate,
} from "@assay/shared/proto";
import type { RunPlace } from "@assay/shared/workflow";
import type { ExecutionRun } from "../runner/run-execution.ts";
import type { RunResult, StepEvent } from "../runner/types.ts";
import type { ExecutionLog } from "./execution-log.ts";

export type ExecutionPhase =
  | { kind: "starting" }
  | { kind: "running"; run: ExecutionRun }
  | { kind: "finished"; result: AgentMessage; resultSent: boolean };

export interface HeldExecution {
  id: string;
  log: ExecutionLog;
  phase: ExecutionPhase;
  startedAtMs: number;
  /** Protocol messages for the current stream (started, step updates). */
  outbox: AgentMessage[];
  /** The latest update per step, resent on a new stream (updates are at-least-once). */
  steps: Map<string, StepUpdate>;
  /** Times the spool was full while this execution produced output (paused). */
  spoolFull: number;
  /** A pause warning waiting for the log to reach a line boundary (spool-relief.ts). */
  pendingWarning?: string | undefined;
  /** The last pause or resume reported, resent on a new stream. */
  pausedMessage?: AgentMessage | undefined;
}

/** The runner of `held` while it runs (undefined for an unknown execution). */
export const runOf = (held: HeldExecution | undefined): ExecutionRun | undefined =>
  held?.phase.kind === "running" ? held.phase.run : undefined;

const STEP_STATUS: Record<StepEvent["status"], StepStatus> = {
  running: StepStatus.STEP_STATUS_RUNNING,
  passed: StepStatus.STEP_STATUS_PASSED,
  failed: StepStatus.STEP_STATUS_FAILED,
  skipped: StepStatus.STEP_STATUS_SKIPPED,
  timeout: StepStatus.STEP_STATUS_TIMEOUT,
  aborted: StepStatus.STEP_STATUS_ABORTED,
};

const RESULT_STATUS: Record<RunResult["status"], ExecutionStatus> = {
  passed: ExecutionStatus.EXECUTION_STATUS_PASSED,
  failed: ExecutionStatus.EXECUTION_STATUS_FAILED,
  aborted: ExecutionStatus.EXECUTION_STATUS_ABORTED,
  timeout: ExecutionStatus.EXECUTION_STATUS_TIMEOUT,
};

export const toStepUpdate = (executionId: string, event: StepEvent): StepUpdate => ({
  executionId,
  stepRef: event.ref,
  status: STEP_STATUS[event.status],
  startedAtMs: event.startedAtMs ?? 0,
  finishedAtMs: event.finishedAtMs ?? 0,
  exitCode: event.exitCode ?? -1,
  message: event.message ?? "",
  // Zero means "not measured" on the wire.
  cpuPeakPercent: event.cpuPeakPercent ?? 0,
  memoryPeakBytes: event.memoryPeakBytes ?? 0,
});

export const startedMessage = (held: HeldExecution): AgentMessage => ({
  kind: { $case: "started", value: { executionId: held.id, startedAtMs: held.startedAtMs } },
});

/** The result message of `held` finished with `result` at `finishedAtMs`. */
export const resultMessage = (
  held: HeldExecution,
  result: RunResult,
  finishedAtMs: number,
): AgentMessage => ({
  kind: {
    $case: "result",
    value: {
      executionId: held.id,
      status: RESULT_STATUS[result.status],
      finishedAtMs,
      logBytes: held.log.produced,
      logTruncated: held.log.truncated,
      message:
        held.spoolFull === 0
          ? result.message
          : `${result.message ? `${result.message}; ` : ""}the agent's log spool was full: step output was paused until the control plane caught up`,
      steps: result.steps.map((s) => toStepUpdate(held.id, s)),
    },
  },
});

/**
 * Prepares `held` for a new stream: its log resends from `committedOffset`, its result is
 * unsent, and a running execution says again that it started, its steps' latest updates and
 * its last pause or resume.
 */
export function replayOnNewStream(held: HeldExecution, committedOffset: number): void {
  held.log.resendFrom(committedOffset);
  if (held.phase.kind === "finished") {
    held.phase.resultSent = false;
    held.outbox = [];
    return;
  }
  held.outbox = [
    startedMessage(held),
    ...[...held.steps.values()].map((value) => ({ kind: { $case: "stepUpdate" as const, value } })),
    ...(held.pausedMessage === undefined ? [] : [held.pausedMessage]),
  ];
}

/** The next message `held` has for the stream: queued ones, then log chunks, then its result. */
export function nextMessage(held: HeldExecution): AgentMessage | undefined {
  const queued = held.outbox.shift();
  if (queued !== undefined) return queued;
  const chunk = held.log.nextChunk();
  if (chunk !== undefined) {
    const stream = chunk.stream === "stderr" ? LogStream.LOG_STREAM_STDERR : LogStream.LOG_STREAM_STDOUT;
    return { kind: { $case: "logChunk", value: { executionId: held.id, ...chunk, stream } } };
  }
  const { phase } = held;
  if (phase.kind === "finished" && !phase.resultSent && held.log.allSent()) {
    phase.resultSent = true;
    return phase.result;
  }
  return undefined;
}

/** The run's organization, environment and dashboard, when the control plane sent them. */
export const placeOf = (command: RunCommand): { place?: RunPlace } =>
  command.organizationId === "" && command.environmentId === "" && command.dashboardUrl === ""
    ? {}
    : {
        place: {
          organizationId: command.organizationId,
          environmentId: command.environmentId,
          dashboardUrl: command.dashboardUrl,
        },
      };
