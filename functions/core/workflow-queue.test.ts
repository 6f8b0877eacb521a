/**
 * The queue of the workflow engine on a real local control plane (DynamoDB Local, no agent):
 * concurrency groups holding runs and cancelling older ones, queue timeouts resolved at run
 * start, and tag / label filters of executions and workflows.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { doc, json, useEnginePlane } from "../testing/engine-plane.ts";
import type { TestControlPlane } from "../testing/harness.ts";

describe("workflow engine (control plane): queue and filters", () => {
  const engine = useEnginePlane();
  const { put, run } = engine;
  let plane: TestControlPlane;
  before(() => {
    plane = engine.plane;
  });

  test("concurrency.cancelInProgress: a new run cancels the older runs of its group still queued", async () => {
    const workflow = doc(
      "TestWorkflow",
      "newest",
      `  concurrency: {group: "{{ workflow.name }}-env", max: 1, cancelInProgress: true}
  steps:
  - shell: echo newest wins
`,
    );
    assert.equal((await put("workflows/newest", workflow)).status, 201);
    const first = (await json<{ id: string }>(await run("newest"))).id;
    const second = (await json<{ id: string }>(await run("newest"))).id;
    const older = await json<{ status: string; message?: string }>(
      await plane.api(`${plane.envPath}/executions/${first}`),
    );
    assert.equal(older.status, "canceled");
    assert.equal(
      older.message,
      `canceled before it started: replaced by newest-${second} (concurrency.cancelInProgress of group newest-env)`,
    );
    const claimed = await plane.core.work.claim({ orgId: plane.orgId, envId: plane.envId }, "agent-n", 10);
    assert.deepEqual(
      claimed.filter((e) => e.workflowName === "newest").map((e) => e.id),
      [second],
    );
  });

  test("timeouts.queue: expressions resolve at run start; one that gives no duration refuses the run", async () => {
    const workflow = doc(
      "TestWorkflow",
      "patience",
      `  config:
    wait: {type: string, default: "90s"}
  timeouts: {queue: "{{ config.wait }}"}
  steps:
  - shell: echo waited
`,
    );
    assert.equal((await put("workflows/patience", workflow)).status, 201);
    const before = Date.now();
    const queued = await json<{ id: string }>(await run("patience"));
    const stored = await plane.core.ports.executions.get({
      orgId: plane.orgId,
      envId: plane.envId,
      id: queued.id,
    });
    assert.equal(stored?.status, "queued");
    // The deadline is the start plus the resolved 90 s (a range: the test does not time the start).
    assert.ok((stored?.leaseExpiresAtMs ?? 0) >= before + 90_000, JSON.stringify(stored?.leaseExpiresAtMs));
    const refused = await run("patience", { config: { wait: "soon" } });
    assert.equal(refused.status, 409);
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /^spec\.timeouts\.queue: /,
    );
  });

  test("concurrency: runs beyond max stay queued and are claimed as slots free", async () => {
    const workflow = doc(
      "TestWorkflow",
      "serial",
      `  concurrency: {group: "{{ workflow.name }}-db", max: 1}
  steps:
  - shell: echo one at a time
`,
    );
    assert.equal((await put("workflows/serial", workflow)).status, 201);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await json<{ id: string }>(await run("serial"))).id);
    const { work } = plane.core;
    const first = await work.claim({ orgId: plane.orgId, envId: plane.envId }, "agent-a", 10);
    const mine = first.filter((e) => e.workflowName === "serial");
    assert.deepEqual(
      mine.map((e) => e.id),
      [ids[0]],
    );
    assert.deepEqual(mine[0]?.concurrency, { group: "serial-db", max: 1 });
    const blocked = await work.claim({ orgId: plane.orgId, envId: plane.envId }, "agent-b", 10);
    assert.equal(blocked.filter((e) => e.workflowName === "serial").length, 0, "the group is full");
    for (const id of ids.slice(1)) {
      assert.equal(
        (await plane.core.ports.executions.get({ orgId: plane.orgId, envId: plane.envId, id }))?.status,
        "queued",
      );
    }
    await work.finish({ orgId: plane.orgId, envId: plane.envId, id: ids[0] as string }, "agent-a", {
      status: "passed",
      logBytes: 0,
      steps: [],
    });
    const next = await work.claim({ orgId: plane.orgId, envId: plane.envId }, "agent-b", 10);
    assert.deepEqual(
      next.filter((e) => e.workflowName === "serial").map((e) => e.id),
      [ids[1]],
    );
    // Released back to the queue (agent at capacity): the slot frees for the next claim.
    await work.release({ orgId: plane.orgId, envId: plane.envId, id: ids[1] as string }, "agent-b");
    const again = await work.claim({ orgId: plane.orgId, envId: plane.envId }, "agent-c", 1);
    assert.deepEqual(
      again.map((e) => e.id),
      [ids[1]],
    );
  });

  test("filters: executions by tag, workflows by label", async () => {
    const labelled = doc(
      "TestWorkflow",
      "labelled",
      "  steps:\n  - shell: echo\n",
      '  labels: {team: qa, tier: "1"}\n',
    );
    assert.equal((await put("workflows/labelled", labelled)).status, 201);
    const byLabel = await json<{ items: Array<{ name: string }> }>(
      await plane.api(`${plane.envPath}/workflows?label=team=qa&label=tier=1`),
    );
    assert.deepEqual(
      byLabel.items.map((w) => w.name),
      ["labelled"],
    );
    const none = await json<{ items: unknown[] }>(
      await plane.api(`${plane.envPath}/workflows?label=team=dev`),
    );
    assert.equal(none.items.length, 0);
    const tagged = await json<{ id: string }>(await run("labelled", { tags: { ci: "yes", branch: "main" } }));
    await run("labelled", { tags: { ci: "no" } });
    const byTag = await json<{ items: Array<{ id: string }> }>(
      await plane.api(`${plane.envPath}/executions?tag=ci=yes&tag=branch=main`),
    );
    assert.deepEqual(
      byTag.items.map((e) => e.id),
      [tagged.id],
    );
    const badFilter = await plane.api(`${plane.envPath}/executions?tag=novalue`);
    assert.equal(badFilter.status, 400);
  });
});
