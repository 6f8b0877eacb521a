/** Insight shapes for component tests: what the API answers for a small known history. */
import type { InsightsDay, TestInsight, WorkflowInsights } from "@assay/shared";

const none = { p50: null, p95: null, max: null };

export const day = (d: string, over: Partial<InsightsDay> = {}): InsightsDay => ({
  day: d,
  runs: 0,
  passed: 0,
  failed: 0,
  timeout: 0,
  lost: 0,
  aborted: 0,
  canceled: 0,
  passRate: null,
  durationMs: none,
  queueMs: none,
  cpuPeakPercent: none,
  memoryPeakBytes: none,
  ...over,
});

export const login: TestInsight = {
  workflow: "hello",
  suite: "e2e",
  name: "login",
  runs: 3,
  passed: 2,
  failed: 1,
  skipped: 0,
  flipRate: 1,
  avgDurationMs: 20,
  maxDurationMs: 30,
  lastFailedExecutionId: "01FAILED",
  lastExecutionId: "01LATEST",
};

export const home: TestInsight = {
  ...login,
  name: "home",
  passed: 3,
  failed: 0,
  flipRate: 0,
  avgDurationMs: 600,
  maxDurationMs: 700,
  lastFailedExecutionId: undefined,
};

export const workflowInsights: WorkflowInsights = {
  workflow: "hello",
  days: 3,
  from: "2026-11-29",
  to: "2026-12-01",
  runs: 6,
  passed: 2,
  failed: 2,
  timeout: 0,
  lost: 0,
  aborted: 1,
  canceled: 1,
  passRate: 0.5,
  durationMs: { p50: 20_000, p95: 40_000, max: 40_000 },
  queueMs: { p50: 1000, p95: 3000, max: 3000 },
  cpuPeakPercent: { p50: 40, p95: 90, max: 95 },
  memoryPeakBytes: { p50: 10 * 1024 * 1024, p95: 64 * 1024 * 1024, max: 64 * 1024 * 1024 },
  daily: [
    day("2026-11-29", {
      runs: 2,
      passed: 1,
      failed: 1,
      passRate: 0.5,
      durationMs: { p50: 10_000, p95: 20_000, max: 20_000 },
    }),
    day("2026-11-30", { runs: 2, passed: 1, aborted: 1, passRate: 1 }),
    day("2026-12-01", { runs: 2, failed: 1, canceled: 1, passRate: 0 }),
  ],
  failureReasons: [{ reason: "tests: exit code 1", count: 2 }],
  flakyTests: [login],
  slowestTests: [home, login],
  mostFailingTests: [login],
};
