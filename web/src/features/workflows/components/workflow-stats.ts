/**
 * Per-workflow health from the most recent executions of the environment: last status, pass
 * rate of finished runs and the duration of the last few, oldest first (for a trend line).
 */
import type { ExecutionView } from "@assay/shared";
import { durationMs } from "../../../lib/format.ts";
import { isFinished } from "../../../lib/status.ts";

export interface WorkflowStats {
  last: ExecutionView | undefined;
  finished: number;
  passed: number;
  durationsMs: number[];
}

export const TREND_RUNS = 12;

export function computeStats(executions: ExecutionView[]): Map<string, WorkflowStats> {
  const stats = new Map<string, WorkflowStats>();
  for (const execution of executions) {
    let entry = stats.get(execution.workflowName);
    if (!entry) {
      entry = { last: execution, finished: 0, passed: 0, durationsMs: [] };
      stats.set(execution.workflowName, entry);
    }
    if (!isFinished(execution.status)) continue;
    entry.finished++;
    if (execution.status === "passed") entry.passed++;
    const ms = durationMs(execution.startedAt ?? execution.createdAt, execution.finishedAt);
    if (ms !== undefined && entry.durationsMs.length < TREND_RUNS) entry.durationsMs.unshift(ms);
  }
  return stats;
}
