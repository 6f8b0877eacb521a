/**
 * Presentation of execution and step statuses. The records are keyed by the shared status
 * types, so a status added in @assay/shared fails the type check here until it has a label.
 */
import type { ExecutionStatus, StepStatus } from "@assay/shared";

export type Tone = "neutral" | "info" | "success" | "danger" | "warning";

const EXECUTION: Record<ExecutionStatus, { label: string; tone: Tone; terminal: boolean }> = {
  queued: { label: "Queued", tone: "neutral", terminal: false },
  assigned: { label: "Assigned", tone: "info", terminal: false },
  running: { label: "Running", tone: "info", terminal: false },
  passed: { label: "Passed", tone: "success", terminal: true },
  failed: { label: "Failed", tone: "danger", terminal: true },
  aborted: { label: "Aborted", tone: "warning", terminal: true },
  canceled: { label: "Canceled", tone: "neutral", terminal: true },
  timeout: { label: "Timed out", tone: "danger", terminal: true },
  lost: { label: "Lost", tone: "danger", terminal: true },
};

const STEP: Record<StepStatus, { label: string; tone: Tone }> = {
  queued: { label: "Queued", tone: "neutral" },
  running: { label: "Running", tone: "info" },
  passed: { label: "Passed", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
  skipped: { label: "Skipped", tone: "neutral" },
  timeout: { label: "Timed out", tone: "danger" },
  aborted: { label: "Aborted", tone: "warning" },
};

export const EXECUTION_STATUSES = Object.keys(EXECUTION) as ExecutionStatus[];

export const executionStatus = (status: ExecutionStatus) =>
  EXECUTION[status] ?? { label: status, tone: "neutral" as Tone, terminal: false };

export const stepStatus = (status: StepStatus) => STEP[status] ?? { label: status, tone: "neutral" as Tone };

export const isFinished = (status: ExecutionStatus): boolean => executionStatus(status).terminal;
