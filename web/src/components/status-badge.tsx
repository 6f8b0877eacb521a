import type { ExecutionStatus, StepStatus } from "@assay/shared";
import { executionStatus, stepStatus } from "../lib/status.ts";

/** A status as coloured text with a shape, so it reads without colour too. */
export function StatusBadge({
  status,
  kind = "execution",
}: {
  status: ExecutionStatus | StepStatus;
  kind?: "execution" | "step";
}) {
  const { label, tone } =
    kind === "execution" ? executionStatus(status as ExecutionStatus) : stepStatus(status as StepStatus);
  const live = status === "running" || status === "assigned";
  return (
    <span className={`badge badge-${tone}${live ? " badge-live" : ""}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
