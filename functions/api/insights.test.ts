/**
 * Insights over a constructed history: executions of known outcomes, durations and JUnit reports
 * are stored across three days, finished through the execution store (so the real lifecycle hook
 * enqueues the real insights job, which the local SQS poller runs against DynamoDB Local), and
 * the API's numbers are checked against what the history implies.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EnvInsights, Execution, TestSuite, WorkflowInsights } from "@assay/shared";
import { ulid } from "ulid";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

const DAY = 24 * 3600 * 1000;
let plane: TestControlPlane;

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
async function record(run: Run): Promise<string> {
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
    await plane.core.ports.executions.updateStep(orgId, envId, id, {
      ref: "tests",
      name: "tests",
      status: "failed",
      message: run.failedStep,
      warnings: [],
    });
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

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const get = async <T>(path: string, token?: string): Promise<{ status: number; body: T }> => {
  const res = await plane.api(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, body: (await res.json()) as T };
};

describe("insights API", () => {
  const ids: string[] = [];
  before(async () => {
    plane = await startTestControlPlane();
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
    for (const run of history) ids.push(await record(run));
  });
  after(async () => plane?.stop());

  const workflowPath = () => `${plane.envPath}/workflows/hello/insights?days=7`;

  it("counts runs by status, leaves aborted and canceled out of the pass rate, and reads percentiles", async () => {
    const { status, body } = await until(
      () => get<WorkflowInsights>(workflowPath()),
      (r) => r.status === 200 && r.body.runs === 6 && r.body.flakyTests.length === 1,
      "six runs and their tests in insights",
    );
    assert.equal(status, 200);
    assert.deepEqual([body.runs, body.passed, body.failed, body.aborted, body.canceled], [6, 2, 2, 1, 1]);
    assert.equal(body.passRate, 0.5);
    const near = (actual: number | null, expected: number) =>
      assert.ok(
        actual !== null && Math.abs(actual - expected) <= expected * 0.08,
        `${actual} is not ~${expected}`,
      );
    near(body.durationMs.p50, 20_000);
    near(body.durationMs.p95, 40_000);
    near(body.queueMs.p50, 1000);
    assert.deepEqual(body.failureReasons, [{ reason: "tests: exit code 1", count: 2 }]);
    assert.equal(body.daily.length, 7);
    assert.deepEqual(
      body.daily.slice(-3).map((d) => d.runs),
      [2, 2, 2],
    );
    const [flaky] = body.flakyTests;
    assert.deepEqual(
      [
        flaky?.suite,
        flaky?.name,
        flaky?.passed,
        flaky?.failed,
        flaky?.flipRate,
        flaky?.lastFailedExecutionId,
      ],
      ["e2e", "login", 2, 1, 1, ids[1]],
    );
    assert.equal(body.slowestTests[0]?.name, "home");
    assert.equal(body.slowestTests[0]?.avgDurationMs, 600);
    assert.deepEqual(
      body.mostFailingTests.map((t) => t.name),
      ["login"],
    );
  });

  it("adds a run once however often its job runs (jobs are delivered at least once)", async () => {
    const { orgId, envId } = plane;
    for (const part of ["run", "tests"] as const) {
      await plane.core.insightsJob({
        kind: "insights",
        id: "again",
        payload: { orgId, envId, executionId: ids[0] ?? "", part },
      });
    }
    const { body } = await get<WorkflowInsights>(workflowPath());
    assert.equal(body.runs, 6);
    assert.equal(body.flakyTests[0]?.passed, 2);
  });

  it("summarizes the environment with a line per workflow", async () => {
    const { status, body } = await get<EnvInsights>(`${plane.envPath}/insights?days=7`);
    assert.equal(status, 200);
    assert.equal(body.runs, 6);
    assert.deepEqual(
      body.workflows.map((w) => [w.workflow, w.runs, w.passRate]),
      [["hello", 6, 0.5]],
    );
    assert.deepEqual(
      body.flakyTests.map((t) => [t.workflow, t.name]),
      [["hello", "login"]],
    );
  });

  it("refuses bad windows and unknown workflows with clear errors", async () => {
    for (const days of ["0", "91", "abc"]) {
      const { status, body } = await get<{ error: { code: string; message: string } }>(
        `${plane.envPath}/insights?days=${days}`,
      );
      assert.equal(status, 400, days);
      assert.equal(body.error.code, "invalid_argument");
      assert.match(body.error.message, /days/);
    }
    const missing = await get<{ error: { code: string } }>(`${plane.envPath}/workflows/nope/insights`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "not_found");
  });
});
