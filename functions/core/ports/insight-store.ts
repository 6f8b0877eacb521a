/** The insights store: per-day aggregates, written by the worker, read by the API. */
import type { DayAggregate, InsightScope, RunSample, TestDay, TestOutcome } from "../insights/records.ts";

export interface InsightStore {
  /**
   * Adds a finished run to its workflow's day and to the environment's day, atomically and once
   * per execution: recording the same execution again changes nothing (jobs run at least once).
   */
  addRun(scope: InsightScope, sample: RunSample): Promise<void>;
  /**
   * Records the outcomes of tests in one execution of a workflow on `day`. Idempotent: the
   * outcome is keyed by execution, so a repeat writes the same value again.
   */
  putTestOutcomes(
    scope: InsightScope,
    run: { workflow: string; day: string; executionId: string },
    outcomes: TestOutcome[],
  ): Promise<void>;
  /** The workflow's day aggregates from `fromDay` to `toDay` (inclusive, YYYY-MM-DD). */
  workflowDays(
    scope: InsightScope,
    workflow: string,
    fromDay: string,
    toDay: string,
  ): Promise<DayAggregate[]>;
  /** The environment's day aggregates from `fromDay` to `toDay` (inclusive). */
  environmentDays(scope: InsightScope, fromDay: string, toDay: string): Promise<DayAggregate[]>;
  /** Every test day of the workflow from `fromDay` to `toDay` (inclusive). */
  testDays(scope: InsightScope, workflow: string, fromDay: string, toDay: string): Promise<TestDay[]>;
}
