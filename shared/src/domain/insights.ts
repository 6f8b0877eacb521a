/**
 * Insights: what the runs of a workflow (or of a whole environment) did over a window of days.
 * Aggregates are kept up to date by a worker when an execution finishes and when its JUnit
 * reports are unpacked; reading them costs a few queries whatever the length of the history.
 *
 * Durations, queue times and resource peaks are percentiles read from log-scale histograms
 * (buckets 15 % wide), so they are accurate to within about 7 %.
 */
import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";
import { WorkflowName } from "./ids.ts";

/** `?days=N`: the window, ending today (UTC). */
export const InsightsQuery = lazySchema(() =>
  z.object({ days: z.coerce.number().int().min(1).max(90).default(14) }).strict(),
);
export type InsightsQuery = z.infer<typeof InsightsQuery>;

/** p50 / p95 / max of a distribution; null fields when nothing was measured. */
export const Percentiles = lazySchema(() =>
  z.object({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    max: z.number().nullable(),
  }),
);
export type Percentiles = z.infer<typeof Percentiles>;

/** Finished runs by final status. */
export const RunCounts = lazySchema(() =>
  z.object({
    runs: z.number().int().nonnegative(),
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    timeout: z.number().int().nonnegative(),
    lost: z.number().int().nonnegative(),
    aborted: z.number().int().nonnegative(),
    canceled: z.number().int().nonnegative(),
  }),
);
export type RunCounts = z.infer<typeof RunCounts>;

/** One day of the window (`day` is YYYY-MM-DD, UTC). */
export const InsightsDay = lazySchema(() =>
  RunCounts.extend({
    day: z.string(),
    /** passed / (runs - aborted - canceled); null without such runs. */
    passRate: z.number().min(0).max(1).nullable(),
    durationMs: Percentiles,
    queueMs: Percentiles,
    /** Highest CPU use of a run's steps, percent of one core. */
    cpuPeakPercent: Percentiles,
    /** Highest resident memory of a run's steps, bytes. */
    memoryPeakBytes: Percentiles,
  }),
);
export type InsightsDay = z.infer<typeof InsightsDay>;

/** A test as seen across the runs of the window. */
export const TestInsight = lazySchema(() =>
  z.object({
    workflow: WorkflowName,
    suite: z.string(),
    name: z.string(),
    runs: z.number().int().nonnegative(),
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    /** Changes between passed and failed over consecutive runs / (runs that passed or failed - 1). */
    flipRate: z.number().min(0).max(1),
    avgDurationMs: z.number().nonnegative(),
    maxDurationMs: z.number().nonnegative(),
    /** The newest run in which it failed, and the newest run of it at all. */
    lastFailedExecutionId: z.string().optional(),
    lastExecutionId: z.string(),
  }),
);
export type TestInsight = z.infer<typeof TestInsight>;

export const FailureReason = lazySchema(() =>
  z.object({ reason: z.string(), count: z.number().int().positive() }),
);
export type FailureReason = z.infer<typeof FailureReason>;

const InsightsBody = lazySchema(() =>
  RunCounts.extend({
    days: z.number().int().positive(),
    from: z.string(),
    to: z.string(),
    passRate: z.number().min(0).max(1).nullable(),
    durationMs: Percentiles,
    queueMs: Percentiles,
    cpuPeakPercent: Percentiles,
    memoryPeakBytes: Percentiles,
    daily: z.array(InsightsDay),
    failureReasons: z.array(FailureReason),
    /** Tests that both passed and failed in the window, most flips first. */
    flakyTests: z.array(TestInsight),
    slowestTests: z.array(TestInsight),
    mostFailingTests: z.array(TestInsight),
  }),
);

/** `GET .../workflows/{name}/insights`. */
export const WorkflowInsights = lazySchema(() => InsightsBody.extend({ workflow: WorkflowName }));
export type WorkflowInsights = z.infer<typeof WorkflowInsights>;

/** One workflow's line in the environment-wide insights. */
export const WorkflowSummary = lazySchema(() =>
  RunCounts.extend({
    workflow: WorkflowName,
    passRate: z.number().min(0).max(1).nullable(),
  }),
);
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

/** `GET .../insights`: the environment as a whole, with a line per workflow. */
export const EnvInsights = lazySchema(() => InsightsBody.extend({ workflows: z.array(WorkflowSummary) }));
export type EnvInsights = z.infer<typeof EnvInsights>;
