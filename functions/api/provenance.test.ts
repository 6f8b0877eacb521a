/**
 * Execution provenance over the HTTP API (real local control plane): run numbers per workflow,
 * who started a run, and re-runs linked to the run they repeat.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ExecutionView } from "@assay/shared";
import { json, signUp, uniqueEmail } from "../testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

const workflow = (name: string) => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: ${name}
spec:
  config:
    target: {type: string, default: "https://example.test"}
    password: {type: string, sensitive: true, default: "s3cret"}
  steps:
    - name: hi
      shell: echo hi
`;

describe("execution provenance", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
    for (const name of ["numbered", "other"]) {
      const res = await plane.api(`${plane.envPath}/workflows/${name}`, {
        method: "PUT",
        body: workflow(name),
      });
      assert.equal(res.status, 201, await res.text());
    }
  });
  after(async () => {
    await plane?.stop();
  });

  const run = async (name: string, body: unknown = {}, auth?: string) => {
    const res = await plane.api(`${plane.envPath}/workflows/${name}/executions`, {
      method: "POST",
      body: JSON.stringify(body),
      ...(auth ? { headers: { authorization: auth } } : {}),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return json<ExecutionView>(res);
  };
  const rerun = (id: string, auth?: string) =>
    plane.api(`${plane.envPath}/executions/${id}/rerun`, {
      method: "POST",
      ...(auth ? { headers: { authorization: auth } } : {}),
    });
  const cancelAll = async () => {
    const page = await json<{ items: ExecutionView[] }>(
      await plane.api(`${plane.envPath}/executions?status=queued`),
    );
    for (const e of page.items)
      await plane.api(`${plane.envPath}/executions/${e.id}/abort`, { method: "POST" });
  };

  test("runs are numbered per workflow, once each when started at the same time", async () => {
    const started = await Promise.all([run("numbered"), run("numbered"), run("numbered")]);
    assert.deepEqual(started.map((e) => e.number).sort(), [1, 2, 3]);
    assert.equal((await run("other")).number, 1);
    const read = await json<ExecutionView>(await plane.api(`${plane.envPath}/executions/${started[0]?.id}`));
    assert.equal(read.number, started[0]?.number);
    await cancelAll();
  });

  test("an API token's run records the token; a signed-in user's run records the user", async () => {
    const token = await plane.core.tokens.issue({
      kind: "api",
      name: "ci pipeline",
      orgId: plane.orgId,
      role: "member",
    });
    const byToken = await run("numbered", {}, `Bearer ${token.secret}`);
    assert.deepEqual(byToken.startedBy, { kind: "api", id: token.record.id, name: "ci pipeline" });

    const user = await signUp(plane, uniqueEmail("runner"));
    const envPath = `/v1/orgs/${user.org.id}/envs`;
    const created = await user.as(envPath, { method: "POST", json: { id: "qa" } });
    assert.equal(created.status, 201, await created.text());
    assert.equal(
      (await user.as(`${envPath}/qa/workflows/mine`, { method: "PUT", body: workflow("mine") })).status,
      201,
    );
    const mine = await json<ExecutionView>(
      await user.as(`${envPath}/qa/workflows/mine/executions`, { method: "POST", json: {} }),
    );
    assert.deepEqual(mine.startedBy, { kind: "user", id: user.user.id, email: user.user.email });
    assert.equal(mine.number, 1);
    await cancelAll();
  });

  test("a refused run takes no number: the next run gets the one it would have had", async () => {
    // A workflow that does not exist yet: refused, and its numbering still starts at 1.
    const missing = await plane.api(`${plane.envPath}/workflows/later/executions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(missing.status, 404);
    const put = await plane.api(`${plane.envPath}/workflows/later`, {
      method: "PUT",
      body: workflow("later"),
    });
    assert.equal(put.status, 201, await put.text());
    assert.equal((await run("later")).number, 1);
    // A full queue (the free plan's 20 places; no agent is connected, so runs stay queued).
    await cancelAll();
    const queued: ExecutionView[] = [];
    for (let i = 0; i < 20; i++) queued.push(await run("later"));
    assert.equal(queued.at(-1)?.number, 21);
    const refused = await plane.api(`${plane.envPath}/workflows/later/executions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(refused.status, 429, await refused.text());
    await cancelAll();
    assert.equal((await run("later")).number, 22);
    await cancelAll();
  });

  test("a re-run repeats the config and user tags, links to the original and takes the next number", async () => {
    const original = await run("numbered", {
      config: { target: "https://staging.test", password: "hunter2" },
      tags: { pr: "42" },
    });
    const res = await rerun(original.id);
    assert.equal(res.status, 201, await res.clone().text());
    const again = await json<ExecutionView>(res);
    assert.notEqual(again.id, original.id);
    assert.equal(again.rerunOf, original.id);
    assert.equal(again.workflowName, "numbered");
    assert.equal(again.number, (original.number ?? 0) + 1);
    assert.equal(again.config.target, "https://staging.test");
    assert.equal(again.config.password, "********", "sensitive values stay masked in the view");
    assert.deepEqual(again.tags, { pr: "42" });
    assert.equal(again.startedBy?.kind, "api");
    // The agent receives the original value of the sensitive parameter, not the mask.
    const stored = await plane.core.ports.executions.get({
      orgId: plane.orgId,
      envId: plane.envId,
      id: again.id,
    });
    assert.equal(stored?.config.password, "hunter2");
    await cancelAll();
  });

  test("a re-run of a scheduled run drops the control plane's own tags", async () => {
    const cron = {
      kind: "schedule",
      orgId: plane.orgId,
      envId: plane.envId,
      workflowName: "numbered",
    } as const;
    const scheduled = await plane.core.executions.start(
      cron,
      { orgId: plane.orgId, envId: plane.envId },
      "numbered",
      {
        config: {},
        tags: { "assay.io/schedule": "0 * * * *", "assay.io/tick": "2030-01-01T00:00:00.000Z", team: "qa" },
        startedBy: { kind: "schedule", id: "numbered#0", cron: "0 * * * *" },
      },
    );
    const again = await json<ExecutionView>(await rerun(scheduled.id));
    assert.deepEqual(again.tags, { team: "qa" });
    assert.equal(again.startedBy?.kind, "api");
    await cancelAll();
  });

  test("re-running needs the member role; unknown and malformed ids are refused clearly", async () => {
    const original = await run("numbered");
    const viewer = await plane.core.tokens.issue({
      kind: "api",
      name: "v",
      orgId: plane.orgId,
      role: "viewer",
    });
    const denied = await rerun(original.id, `Bearer ${viewer.secret}`);
    assert.equal(denied.status, 403);
    assert.equal((await json<{ error: { code: string } }>(denied)).error.code, "permission_denied");

    const missing = await rerun("01ARZ3NDEKTSV4RRFFQ69G5FAV");
    assert.equal(missing.status, 404);
    assert.equal((await json<{ error: { code: string } }>(missing)).error.code, "not_found");
    const malformed = await rerun("nope");
    assert.equal(malformed.status, 400);
    assert.equal((await json<{ error: { code: string } }>(malformed)).error.code, "invalid_argument");
    await cancelAll();
  });
});
