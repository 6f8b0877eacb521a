/** Mapping between protocol messages and domain types (the only place that knows both). */
import type { StepStatus as DomainStepStatus, Execution, OutputStream, StepState } from "@assay/shared";
import {
  type ControlMessage,
  ExecutionStatus,
  type LogChunk,
  LogStream,
  type RunCommand,
  StepStatus,
  type StepUpdate,
} from "@assay/shared/proto";
import type { AgentCommand } from "../core/agent-link/agent-link.ts";
import type { FinishInput } from "../core/agent-work.ts";

const STEP_STATUS: Record<number, DomainStepStatus> = {
  [StepStatus.STEP_STATUS_QUEUED]: "queued",
  [StepStatus.STEP_STATUS_RUNNING]: "running",
  [StepStatus.STEP_STATUS_PASSED]: "passed",
  [StepStatus.STEP_STATUS_FAILED]: "failed",
  [StepStatus.STEP_STATUS_SKIPPED]: "skipped",
  [StepStatus.STEP_STATUS_TIMEOUT]: "timeout",
  [StepStatus.STEP_STATUS_ABORTED]: "aborted",
};

const RESULT_STATUS: Record<number, FinishInput["status"]> = {
  [ExecutionStatus.EXECUTION_STATUS_PASSED]: "passed",
  [ExecutionStatus.EXECUTION_STATUS_FAILED]: "failed",
  [ExecutionStatus.EXECUTION_STATUS_ABORTED]: "aborted",
  [ExecutionStatus.EXECUTION_STATUS_TIMEOUT]: "timeout",
};

export const toResultStatus = (status: number): FinishInput["status"] | undefined => RESULT_STATUS[status];

/** The stream of a log chunk: anything but stderr (an older agent's unset field) is stdout. */
export const outputStreamOf = (chunk: LogChunk): OutputStream =>
  chunk.stream === LogStream.LOG_STREAM_STDERR ? "stderr" : "stdout";

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : undefined);

/** Merges an agent's step update into the known step (name and parent come from the plan). */
export function toStepState(update: StepUpdate, known: StepState | undefined): StepState | undefined {
  const status = STEP_STATUS[update.status];
  if (!status) return undefined;
  return {
    ref: update.stepRef,
    name: known?.name ?? update.stepRef,
    parentRef: known?.parentRef,
    warnings: known?.warnings ?? [],
    status,
    startedAt: iso(update.startedAtMs) ?? known?.startedAt,
    finishedAt: iso(update.finishedAtMs) ?? known?.finishedAt,
    exitCode: status === "running" || status === "skipped" ? known?.exitCode : update.exitCode,
    message: update.message || known?.message,
    // Zero means "not measured" on the wire (proto3 default): keep what was known.
    cpuPeakPercent: update.cpuPeakPercent > 0 ? update.cpuPeakPercent : known?.cpuPeakPercent,
    memoryPeakBytes: update.memoryPeakBytes > 0 ? update.memoryPeakBytes : known?.memoryPeakBytes,
  };
}

export function runCommand(execution: Execution, committedLogOffset: number): ControlMessage {
  const run: RunCommand = {
    commandId: `run-${execution.id}`,
    executionId: execution.id,
    workflowName: execution.workflowName,
    workflow: { specYaml: execution.specYaml, warnings: execution.warnings },
    config: execution.config,
    sensitive: execution.sensitive,
    queuedAtMs: Date.parse(execution.createdAt),
    committedLogOffset,
    number: execution.number ?? 0,
    organizationId: execution.orgId,
    environmentId: execution.envId,
    dashboardUrl: execution.dashboardUrl ?? "",
  };
  return { kind: { $case: "run", value: run } };
}

export const abortCommand = (executionId: string, reason: string): ControlMessage => ({
  kind: { $case: "abort", value: { commandId: `abort-${executionId}`, executionId, reason } },
});

export const pauseCommand = (executionId: string, paused: boolean): ControlMessage => ({
  kind: {
    $case: "pause",
    value: { commandId: `${paused ? "pause" : "resume"}-${executionId}`, executionId, paused },
  },
});

/** The wire form of a core command; `commandId` names it for the agent's CommandAck. */
export const toControlMessage = (command: AgentCommand): ControlMessage => {
  if (command.kind === "run") return runCommand(command.execution, command.committedOffset);
  if (command.kind === "pause") return pauseCommand(command.executionId, command.paused);
  return abortCommand(command.executionId, command.reason);
};
