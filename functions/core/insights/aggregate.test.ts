import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Execution } from "@assay/shared";
import { normalizeReason, passRateOf, rankTests, sampleOf, summarize, windowDays } from "./aggregate.ts";
import { bucketOf, mergeHistograms, percentilesOf } from "./histogram.ts";
import type { DayAggregate, TestDay } from "./records.ts";

const within = (actual: number | null, expected: number, ratio = 0.08) => {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= expected * ratio,
    `${actual} is not ~${expected}`,
  );
};

const histogramOf = (values: number[]) => {
  const h: Record<string, number> = {};
  for (const v of values) {
    const b = String(bucketOf(v));
    h[b] = (h[b] ?? 0) + 1;
  }
  return h;
};

describe("insights histograms", () => {
  it("read percentiles back within the bucket width", () => {
    const values = Array.from({ length: 100 }, (_, i) => (i + 1) * 100);
    const p = percentilesOf(histogramOf(values));
    within(p.p50, 5000);
    within(p.p95, 9500);
    within(p.max, 10000);
  });

  it("merge by summing, and an empty one has no percentiles", () => {
    const merged = mergeHistograms([histogramOf([10, 10]), histogramOf([10, 1000])]);
    assert.equal(
      Object.values(merged).reduce((a, b) => a + b, 0),
      4,
    );
    within(percentilesOf(merged).p50, 10, 0.1);
    assert.deepEqual(percentilesOf({}), { p50: null, p95: null, max: null });
    assert.equal(bucketOf(-1), undefined);
    assert.equal(bucketOf(Number.NaN), undefined);
  });
});

const execution = (patch: Partial<Execution>): Execution => ({
  id: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  orgId: "acme",
  envId: "prod",
  workflowName: "checkout",
  status: "passed",
  createdAt: "2026-11-30T10:00:00.000Z",
  config: {},
  sensitive: [],
  tags: {},
  steps: [],
  logBytes: 0,
  warnings: [],
  specYaml: "",
  ...patch,
});

describe("what a finished execution contributes", () => {
  it("takes duration from start to finish, queue time from creation to start, and the steps' peaks", () => {
    const sample = sampleOf(
      execution({
        startedAt: "2026-11-30T10:00:02.000Z",
        finishedAt: "2026-11-30T10:00:07.500Z",
        steps: [
          { ref: "a", name: "a", status: "passed", warnings: [], cpuPeakPercent: 40, memoryPeakBytes: 1000 },
          { ref: "b", name: "b", status: "passed", warnings: [], cpuPeakPercent: 90 },
        ],
      }),
    );
    assert.deepEqual(sample, {
      executionId: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
      workflow: "checkout",
      day: "2026-11-30",
      status: "passed",
      durationMs: 5500,
      queueMs: 2000,
      cpuPeakPercent: 90,
      memoryPeakBytes: 1000,
      failureReason: undefined,
    });
  });

  it("gives a failed run the failing step's message as its reason, and none while running", () => {
    const failed = sampleOf(
      execution({
        status: "failed",
        message: "step failed",
        steps: [{ ref: "t", name: "tests", status: "failed", message: "exit code 1", warnings: [] }],
      }),
    );
    assert.equal(failed?.failureReason, "tests: exit code 1");
    assert.equal(sampleOf(execution({ status: "lost" }))?.failureReason, "lost");
    assert.equal(
      sampleOf(execution({ status: "aborted", message: "aborted by alice" }))?.failureReason,
      undefined,
    );
    assert.equal(sampleOf(execution({ status: "running" })), undefined);
  });

  it("folds ids and long numbers out of reasons so repeats group", () => {
    assert.equal(
      normalizeReason("lost: agent 01ARZ3NDEKTSV4RRFFQ69G5FAV went away after 123456 ms\nmore"),
      "lost: agent <id> went away after <n> ms",
    );
  });
});

describe("summaries", () => {
  const day = (d: string, patch: Partial<DayAggregate>): DayAggregate => ({
    day: d,
    counts: {},
    duration: {},
    queue: {},
    cpu: {},
    memory: {},
    reasons: {},
    workflows: {},
    ...patch,
  });

  it("leave aborted and canceled runs out of the pass rate, and fill empty days", () => {
    const s = summarize(
      [
        day("2026-11-29", { counts: { passed: 3, failed: 1 }, reasons: { "tests: exit code 1": 1 } }),
        day("2026-11-30", {
          counts: { aborted: 2, canceled: 1, lost: 1 },
          reasons: { lost: 1, "tests: exit code 1": 2 },
        }),
      ],
      ["2026-11-28", "2026-11-29", "2026-11-30"],
    );
    assert.equal(s.runs, 8);
    assert.equal(s.passRate, 3 / 5);
    assert.deepEqual(
      s.daily.map((d) => [d.day, d.runs, d.passRate]),
      [
        ["2026-11-28", 0, null],
        ["2026-11-29", 4, 0.75],
        ["2026-11-30", 4, 0],
      ],
    );
    assert.deepEqual(s.failureReasons, [
      { reason: "tests: exit code 1", count: 3 },
      { reason: "lost", count: 1 },
    ]);
    assert.equal(
      passRateOf({ runs: 2, passed: 0, failed: 0, timeout: 0, lost: 0, aborted: 1, canceled: 1 }),
      null,
    );
  });

  it("name every day of the window, oldest first", () => {
    assert.deepEqual(windowDays(Date.parse("2026-12-01T05:00:00Z"), 3), [
      "2026-11-29",
      "2026-11-30",
      "2026-12-01",
    ]);
  });
});

describe("test rankings", () => {
  const test = (name: string, day: string, outcomes: TestDay["outcomes"]): TestDay => ({
    workflow: "checkout",
    suite: "e2e",
    name,
    day,
    outcomes,
  });

  it("count flips in execution order across days", () => {
    const ranking = rankTests([
      test("login", "2026-11-30", {
        "01B": { status: "failed", durationMs: 30 },
        "01C": { status: "passed", durationMs: 10 },
      }),
      test("login", "2026-11-29", { "01A": { status: "passed", durationMs: 20 } }),
      test("home", "2026-11-29", { "01A": { status: "passed", durationMs: 500 } }),
      test("home", "2026-11-30", {
        "01B": { status: "passed", durationMs: 700 },
        "01C": { status: "skipped", durationMs: 0 },
      }),
      test("pay", "2026-11-30", {
        "01B": { status: "failed", durationMs: 5 },
        "01C": { status: "failed", durationMs: 5 },
      }),
    ]);
    assert.deepEqual(
      ranking.flakyTests.map((t) => [t.name, t.passed, t.failed, t.flipRate, t.lastFailedExecutionId]),
      [["login", 2, 1, 1, "01B"]],
    );
    assert.deepEqual(
      ranking.slowestTests.map((t) => [t.name, t.avgDurationMs, t.maxDurationMs]),
      [
        ["home", 600, 700],
        ["login", 20, 30],
        ["pay", 5, 5],
      ],
    );
    assert.deepEqual(
      ranking.mostFailingTests.map((t) => [t.name, t.failed]),
      [
        ["pay", 2],
        ["login", 1],
      ],
    );
    const home = ranking.slowestTests.find((t) => t.name === "home");
    assert.equal(home?.skipped, 1);
    assert.equal(home?.lastExecutionId, "01C");
  });
});
