/**
 * Insights over a constructed history: executions of known outcomes, durations and JUnit reports
 * are stored across three days, ended through the lifecycle (so its real observer
 * enqueues the real insights job, which the local SQS poller runs against DynamoDB Local), and
 * the API's numbers are checked against what the history implies.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EnvInsights, WorkflowInsights } from "@assay/shared";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { recordInsightHistory } from "../testing/insight-history.ts";

let plane: TestControlPlane;

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
    ids.push(...(await recordInsightHistory(plane)));
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
