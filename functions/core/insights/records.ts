/**
 * What the insights worker stores and reads back: per-day aggregates of finished runs (one per
 * workflow and one for the whole environment) and per-day outcomes of each JUnit test.
 */
import type { ExecutionStatus } from "@assay/shared";
import type { Histogram } from "./histogram.ts";

/** The final statuses insights count. */
export const FINAL_STATUSES = ["passed", "failed", "timeout", "lost", "aborted", "canceled"] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const isFinalStatus = (status: ExecutionStatus): status is FinalStatus =>
  (FINAL_STATUSES as readonly string[]).includes(status);

/** An environment of an organization. */
export interface InsightScope {
  orgId: string;
  envId: string;
}

/** What one finished run adds to its day. Times in milliseconds. */
export interface RunSample {
  executionId: string;
  workflow: string;
  /** YYYY-MM-DD (UTC) of the run's creation. */
  day: string;
  status: FinalStatus;
  durationMs?: number;
  queueMs?: number;
  cpuPeakPercent?: number;
  memoryPeakBytes?: number;
  /** Why a run that did not pass ended so, normalized for grouping. */
  failureReason?: string;
}

/** The stored aggregate of one day (of a workflow, or of the environment). */
export interface DayAggregate {
  day: string;
  counts: Partial<Record<FinalStatus, number>>;
  duration: Histogram;
  queue: Histogram;
  cpu: Histogram;
  memory: Histogram;
  /** Normalized failure reason -> count. */
  reasons: Record<string, number>;
  /** Environment days only: workflow -> its counts that day. */
  workflows: Record<string, Partial<Record<FinalStatus, number>>>;
}

/** One test's outcome in one run. */
export interface TestOutcome {
  suite: string;
  name: string;
  status: "passed" | "failed" | "skipped";
  durationMs: number;
}

/** One test on one day of a workflow: the outcome of every run that reported it. */
export interface TestDay {
  workflow: string;
  suite: string;
  name: string;
  day: string;
  /** Execution id -> outcome (ids sort by time). */
  outcomes: Record<string, { status: TestOutcome["status"]; durationMs: number }>;
}
