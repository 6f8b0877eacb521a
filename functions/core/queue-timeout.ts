/**
 * `spec.timeouts.queue`: the longest an execution may wait `queued`. While it is queued, the
 * deadline is kept in the execution's lease field, so the lease index the reaper reads finds
 * it; the reaper cancels a run still queued when it passes, with the reason in its message.
 * A claim replaces the deadline with the agent's lease; a run put back in the queue (its agent
 * vanished before starting it) waits without one. The duration may use expressions over
 * `config` and `workflow`, resolved when the run starts.
 */
import { AppError } from "@assay/shared";
import { evaluateTemplate, fromJs, parseDuration } from "@assay/shared/workflow";

/** What a run canceled by its queue timeout says. */
export const QUEUE_TIMEOUT_MESSAGE =
  "canceled: still queued when spec.timeouts.queue elapsed (no agent took it in time)";

/** The queue timeout of a run in milliseconds, or undefined when the workflow sets none. */
export function queueTimeoutOf(
  spec: { timeouts?: { queue?: string } } | undefined,
  workflowName: string,
  config: Record<string, string>,
  labels: Record<string, string>,
): number | undefined {
  const text = spec?.timeouts?.queue;
  if (text === undefined || text === "") return undefined;
  let resolved: string;
  try {
    resolved = evaluateTemplate(text, {
      variables: { config: fromJs(config), workflow: fromJs({ name: workflowName, labels }) },
    });
  } catch (error) {
    throw new AppError("failed_precondition", `spec.timeouts.queue: ${(error as Error).message}`);
  }
  const parsed = parseDuration(resolved.trim());
  if (!parsed.ok) throw new AppError("failed_precondition", `spec.timeouts.queue: ${parsed.error}`);
  return parsed.ms > 0 ? parsed.ms : undefined;
}

/** True when a queued execution's `spec.timeouts.queue` deadline has passed. */
export const pastQueueDeadline = (execution: { status: string; leaseExpiresAtMs?: number }, nowMs: number) =>
  execution.status === "queued" &&
  execution.leaseExpiresAtMs !== undefined &&
  execution.leaseExpiresAtMs <= nowMs;
