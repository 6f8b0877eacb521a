/**
 * Pure rules of insights: what a finished execution contributes (sampleOf), how stored day
 * aggregates become the API's numbers (summarize), and how per-day test outcomes become flaky,
 * slow and failing tests (rankTests). No I/O here, so every number is table-testable.
 */
import type {
  Execution,
  FailureReason,
  InsightsDay,
  Percentiles,
  RunCounts,
  TestInsight,
  TestReport,
} from "@assay/shared";
import { type Histogram, mergeHistograms, percentilesOf } from "./histogram.ts";
import {
  type DayAggregate,
  FINAL_STATUSES,
  type FinalStatus,
  isFinalStatus,
  type RunSample,
  type TestDay,
  type TestOutcome,
} from "./records.ts";

const DAY_MS = 24 * 3600 * 1000;

/** YYYY-MM-DD (UTC) of an epoch-ms time. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The `days` days ending with the day of `nowMs`, oldest first. */
export const windowDays = (nowMs: number, days: number): string[] =>
  Array.from({ length: days }, (_, i) => dayOf(nowMs - (days - 1 - i) * DAY_MS));

/** Numbers and ids vary between runs of the same failure: fold them so reasons group. */
export const normalizeReason = (text: string): string =>
  (text.split("\n")[0] ?? "")
    .replace(/\b[0-9A-HJKMNP-TV-Z]{26}\b/g, "<id>")
    .replace(/\b\d{4,}\b/g, "<n>")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 160);

const failureReasonOf = (execution: Execution): string | undefined => {
  // Aborted and canceled runs were stopped by someone: not failures, so no reason to group.
  if (execution.status === "passed" || execution.status === "aborted" || execution.status === "canceled") {
    return undefined;
  }
  const step = execution.steps.find((s) => (s.status === "failed" || s.status === "timeout") && s.message);
  const text = step ? `${step.name}: ${step.message}` : (execution.message ?? execution.status);
  return normalizeReason(text) || execution.status;
};

const maxOf = (values: Array<number | undefined>): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
};

/** What a finished execution adds to its day; undefined while it is not finished. */
export function sampleOf(execution: Execution): RunSample | undefined {
  if (!isFinalStatus(execution.status)) return undefined;
  const created = Date.parse(execution.createdAt);
  const started = execution.startedAt ? Date.parse(execution.startedAt) : undefined;
  const finished = execution.finishedAt ? Date.parse(execution.finishedAt) : undefined;
  return {
    executionId: execution.id,
    workflow: execution.workflowName,
    day: dayOf(created),
    status: execution.status,
    durationMs: started !== undefined && finished !== undefined ? Math.max(0, finished - started) : undefined,
    queueMs: started !== undefined ? Math.max(0, started - created) : undefined,
    cpuPeakPercent: maxOf(execution.steps.map((s) => s.cpuPeakPercent)),
    memoryPeakBytes: maxOf(execution.steps.map((s) => s.memoryPeakBytes)),
    failureReason: failureReasonOf(execution),
  };
}

/** The JUnit cases of a report as outcomes (an error counts as failed). */
export const outcomesOf = (report: Pick<TestReport, "suites">): TestOutcome[] =>
  report.suites.flatMap((suite) =>
    suite.cases.map((c) => ({
      suite: suite.name,
      name: c.className && !c.name.startsWith(c.className) ? `${c.className}.${c.name}` : c.name,
      status: c.status === "passed" ? "passed" : c.status === "skipped" ? "skipped" : "failed",
      durationMs: Math.max(0, Math.round(c.durationMs)),
    })),
  );

const countsOf = (counts: Partial<Record<FinalStatus, number>>): RunCounts => {
  const of = (s: FinalStatus) => counts[s] ?? 0;
  return {
    runs: FINAL_STATUSES.reduce((sum, s) => sum + of(s), 0),
    passed: of("passed"),
    failed: of("failed"),
    timeout: of("timeout"),
    lost: of("lost"),
    aborted: of("aborted"),
    canceled: of("canceled"),
  };
};

/** passed / runs that could pass or fail: aborted and canceled runs are left out of the rate. */
export const passRateOf = (c: RunCounts): number | null => {
  const decided = c.runs - c.aborted - c.canceled;
  return decided > 0 ? c.passed / decided : null;
};

const addCounts = (
  a: Partial<Record<FinalStatus, number>>,
  b: Partial<Record<FinalStatus, number>>,
): Partial<Record<FinalStatus, number>> => {
  const sum: Partial<Record<FinalStatus, number>> = { ...a };
  for (const s of FINAL_STATUSES) if (b[s]) sum[s] = (sum[s] ?? 0) + (b[s] ?? 0);
  return sum;
};

interface Distributions {
  durationMs: Percentiles;
  queueMs: Percentiles;
  cpuPeakPercent: Percentiles;
  memoryPeakBytes: Percentiles;
}

const distributionsOf = (days: DayAggregate[]): Distributions => {
  const merged = (pick: (d: DayAggregate) => Histogram) => percentilesOf(mergeHistograms(days.map(pick)));
  return {
    durationMs: merged((d) => d.duration),
    queueMs: merged((d) => d.queue),
    cpuPeakPercent: merged((d) => d.cpu),
    memoryPeakBytes: merged((d) => d.memory),
  };
};

export interface Summary extends RunCounts, Distributions {
  passRate: number | null;
  daily: InsightsDay[];
  failureReasons: FailureReason[];
}

/** Totals, the daily series (every day of the window, empty ones too) and grouped reasons. */
export function summarize(stored: DayAggregate[], days: string[]): Summary {
  const byDay = new Map(stored.map((d) => [d.day, d]));
  const daily = days.map((day): InsightsDay => {
    const d = byDay.get(day);
    const counts = countsOf(d?.counts ?? {});
    return { day, ...counts, passRate: passRateOf(counts), ...distributionsOf(d ? [d] : []) };
  });
  const counts = countsOf(stored.reduce((sum, d) => addCounts(sum, d.counts), {}));
  const reasons = new Map<string, number>();
  for (const d of stored)
    for (const [r, n] of Object.entries(d.reasons)) reasons.set(r, (reasons.get(r) ?? 0) + n);
  const failureReasons = [...reasons]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .slice(0, 20);
  return { ...counts, passRate: passRateOf(counts), ...distributionsOf(stored), daily, failureReasons };
}

/** Each workflow's counts over the window, from environment days. */
export function workflowSummaries(stored: DayAggregate[]) {
  const totals = new Map<string, Partial<Record<FinalStatus, number>>>();
  for (const d of stored) {
    for (const [workflow, c] of Object.entries(d.workflows))
      totals.set(workflow, addCounts(totals.get(workflow) ?? {}, c));
  }
  return [...totals]
    .map(([workflow, c]) => {
      const counts = countsOf(c);
      return { workflow, ...counts, passRate: passRateOf(counts) };
    })
    .sort((a, b) => b.runs - a.runs || a.workflow.localeCompare(b.workflow));
}

/** One test across the window: outcomes merged over days, in execution (time) order. */
function insightOf(key: { workflow: string; suite: string; name: string }, days: TestDay[]): TestInsight {
  const runs = days
    .flatMap((d) => Object.entries(d.outcomes))
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let flips = 0;
  let previous: string | undefined;
  let total = 0;
  let max = 0;
  let lastFailed: string | undefined;
  for (const [executionId, o] of runs) {
    if (o.status === "skipped") {
      skipped += 1;
      continue;
    }
    if (o.status === "passed") passed += 1;
    else {
      failed += 1;
      lastFailed = executionId;
    }
    if (previous !== undefined && previous !== o.status) flips += 1;
    previous = o.status;
    total += o.durationMs;
    max = Math.max(max, o.durationMs);
  }
  const decided = passed + failed;
  return {
    ...key,
    runs: runs.length,
    passed,
    failed,
    skipped,
    flipRate: decided > 1 ? flips / (decided - 1) : 0,
    avgDurationMs: decided > 0 ? Math.round(total / decided) : 0,
    maxDurationMs: max,
    lastFailedExecutionId: lastFailed,
    lastExecutionId: runs[runs.length - 1]?.[0] ?? "",
  };
}

export interface TestRanking {
  flakyTests: TestInsight[];
  slowestTests: TestInsight[];
  mostFailingTests: TestInsight[];
}

/** Flaky (passed and failed in the window), slowest and most failing tests, `limit` of each. */
export function rankTests(days: TestDay[], limit = 20): TestRanking {
  const groups = new Map<string, TestDay[]>();
  for (const d of days) {
    const key = JSON.stringify([d.workflow, d.suite, d.name]);
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  const tests = [...groups.values()].flatMap((list) => (list[0] ? [insightOf(list[0], list)] : []));
  const byName = (a: TestInsight, b: TestInsight) =>
    a.workflow.localeCompare(b.workflow) || a.suite.localeCompare(b.suite) || a.name.localeCompare(b.name);
  return {
    flakyTests: tests
      .filter((t) => t.passed > 0 && t.failed > 0)
      .sort((a, b) => b.flipRate - a.flipRate || b.failed - a.failed || byName(a, b))
      .slice(0, limit),
    slowestTests: tests
      .filter((t) => t.passed + t.failed > 0)
      .sort((a, b) => b.avgDurationMs - a.avgDurationMs || byName(a, b))
      .slice(0, limit),
    mostFailingTests: tests
      .filter((t) => t.failed > 0)
      .sort((a, b) => b.failed - a.failed || b.failed / b.runs - a.failed / a.runs || byName(a, b))
      .slice(0, limit),
  };
}
