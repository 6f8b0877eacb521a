/**
 * A constructed history for insights tests: six runs of `hello` over three days with known
 * outcomes, durations and JUnit reports, stored as the engine would and ended through the
 * lifecycle (so the real observer enqueues the real insights job). Implies: 6 runs, 2 passed,
 * 2 failed, 1 aborted, 1 canceled, pass rate 0.5, duration p50 20 s / p95 40 s, queue p50 1 s,
 * one flaky test (`e2e › login`: passed, failed, passed) and the failure reason
 * `tests: exit code 1` twice.
 */
import assert from "node:assert/strict";
import type { Execution, TestSuite } from "@assay/shared";
import { ulid } from "ulid";
import type { TestControlPlane } from "./harness.ts";

const DAY = 24 * 3600 * 1000;

const suite = (cases: Array<[string, "passed" | "failed", number]>): TestSuite => ({
  name: "e2e",
  source: "junit.xml",
  durationMs: 0,
  counts: { tests: cases.length, passed: 0, failed: 0, errors: 0, skipped: 0 },
  cases: cases.map(([name, status, durationMs]) => ({ name, className: "", status, durationMs })),
});

interface Run {
  createdMs: number;
  status: Execution["status"];
  queueMs?: number;
  durationMs?: number;
  failedStep?: string;
  tests?: Array<[string, "passed" | "failed", number]>;
}

/** Stores one execution as the engine would, then ends it through the lifecycle (its real effects). */
async function record(plane: TestControlPlane, run: Run): Promise<string> {
  const { orgId, envId } = plane;
  const id = ulid(run.createdMs);
  const iso = (ms: number) => new Date(ms).toISOString();
  const startedMs = run.queueMs === undefined ? undefined : run.createdMs + run.queueMs;
  await plane.core.ports.executions.create({
    id,
    orgId,
    envId,
    workflowName: "hello",
    status: run.status === "canceled" ? "queued" : "running",
    createdAt: iso(run.createdMs),
    config: {},
    sensitive: [],
    tags: {},
    steps: [{ ref: "tests", name: "tests", status: "queued", warnings: [] }],
    logBytes: 0,
    warnings: [],
    specYaml: "spec: {}\n",
  });
  if (run.tests) {
    await plane.core.ports.artifactBlobs.put(
      `artifacts/${orgId}/${envId}/${id}/report/b1.json`,
      new TextEncoder().encode(JSON.stringify({ suites: [suite(run.tests)], unreadable: [] })),
    );
  }
  const finishedMs = startedMs === undefined ? undefined : startedMs + (run.durationMs ?? 0);
  if (run.failedStep) {
    await plane.core.ports.executions.updateStep(
      { orgId, envId, id },
      {
        ref: "tests",
        name: "tests",
        status: "failed",
        message: run.failedStep,
        warnings: [],
      },
    );
  }
  const canceled = run.status === "canceled";
  const done = await plane.core.lifecycle.apply({ orgId, envId, id }, canceled ? "cancel" : "finish", {
    set: {
      status: run.status,
      ...(startedMs === undefined ? {} : { startedAt: iso(startedMs) }),
      finishedAt: iso(finishedMs ?? run.createdMs),
    },
  });
  assert.ok(done, "the constructed run finished");
  return id;
}

/** Records the history; returns the executions' ids, oldest first. */
export async function recordInsightHistory(plane: TestControlPlane): Promise<string[]> {
  const now = Date.now();
  const d2 = now - 2 * DAY;
  const d1 = now - DAY;
  const history: Run[] = [
    {
      createdMs: d2,
      status: "passed",
      queueMs: 1000,
      durationMs: 10_000,
      tests: [
        ["login", "passed", 20],
        ["home", "passed", 500],
      ],
    },
    {
      createdMs: d2 + 60_000,
      status: "failed",
      queueMs: 2000,
      durationMs: 20_000,
      failedStep: "exit code 1",
      tests: [
        ["login", "failed", 30],
        ["home", "passed", 700],
      ],
    },
    {
      createdMs: d1,
      status: "passed",
      queueMs: 1000,
      durationMs: 30_000,
      tests: [
        ["login", "passed", 10],
        ["home", "passed", 600],
      ],
    },
    { createdMs: d1 + 60_000, status: "aborted", queueMs: 1000, durationMs: 5000 },
    { createdMs: now - 120_000, status: "canceled" },
    {
      createdMs: now - 60_000,
      status: "failed",
      queueMs: 3000,
      durationMs: 40_000,
      failedStep: "exit code 1",
    },
  ];
  const ids: string[] = [];
  for (const run of history) ids.push(await record(plane, run));
  return ids;
}
