/**
 * Which Testkube events an execution's transition raises. `end-*` follow the final status;
 * `become-*` compare it with the previous finished run of the same workflow, so they are only
 * computed for terminal statuses (never for queued or running runs). A first finished run has
 * no previous status and counts as a change, as in Testkube.
 */
import type { ExecutionStatus, WebhookEventType } from "@assay/shared";

/** Testkube's result classes of an Assay status (timeout and lost count as failed). */
export type ResultClass = "passed" | "failed" | "aborted" | "canceled";

export const resultClassOf = (status: ExecutionStatus): ResultClass | undefined => {
  switch (status) {
    case "passed":
      return "passed";
    case "failed":
    case "timeout":
    case "lost":
      return "failed";
    case "aborted":
      return "aborted";
    case "canceled":
      return "canceled";
    default:
      return undefined;
  }
};

const END: Record<ResultClass, WebhookEventType> = {
  passed: "end-testworkflow-success",
  failed: "end-testworkflow-failed",
  aborted: "end-testworkflow-aborted",
  canceled: "end-testworkflow-canceled",
};

/** For each `become-*`: the class it ends in and the previous classes that make it a change. */
const BECOME: Array<{ event: WebhookEventType; now: ResultClass[]; before: ResultClass[] }> = [
  { event: "become-testworkflow-up", now: ["passed"], before: ["failed", "aborted", "canceled"] },
  { event: "become-testworkflow-down", now: ["failed", "aborted"], before: ["passed"] },
  { event: "become-testworkflow-failed", now: ["failed"], before: ["passed", "aborted", "canceled"] },
  { event: "become-testworkflow-aborted", now: ["aborted"], before: ["passed", "failed", "canceled"] },
  { event: "become-testworkflow-canceled", now: ["canceled"], before: ["passed", "failed", "aborted"] },
  {
    event: "become-testworkflow-not-passed",
    now: ["failed", "aborted", "canceled"],
    before: ["passed"],
  },
];

/** The events of a queued or started execution. */
export const eventsOfPhase = (phase: "queued" | "started"): WebhookEventType[] =>
  phase === "queued" ? ["queue-testworkflow"] : ["start-testworkflow"];

/**
 * The events of a finished execution, given the status of the previous finished run of the same
 * workflow (undefined when there is none). Empty for a status that is not terminal.
 */
export function eventsOfEnd(
  status: ExecutionStatus,
  previous: ExecutionStatus | undefined,
): WebhookEventType[] {
  const now = resultClassOf(status);
  if (now === undefined) return [];
  const events: WebhookEventType[] = [END[now]];
  if (now !== "passed") events.push("end-testworkflow-not-passed");
  const before = previous === undefined ? undefined : resultClassOf(previous);
  for (const rule of BECOME) {
    if (!rule.now.includes(now)) continue;
    if (before === undefined || rule.before.includes(before)) events.push(rule.event);
  }
  return events;
}
