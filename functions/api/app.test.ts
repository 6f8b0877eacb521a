/** The HTTP API against a real local control plane (DynamoDB Local, fauxqs), no agent. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

const workflow = (name: string, extra = "") => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: ${name}
spec:
${extra}  steps:
    - name: hi
      shell: echo hi
`;

interface ErrorJson {
  error: { code: string; message: string; issues?: Array<{ path: string; line?: number }> };
}

describe("HTTP API", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  const put = (name: string, body: string) =>
    plane.api(`${plane.envPath}/workflows/${name}`, {
      method: "PUT",
      body,
      headers: { "content-type": "application/yaml" },
    });
  const run = (name: string, body: unknown = {}) =>
    plane.api(`${plane.envPath}/workflows/${name}/executions`, {
      method: "POST",
      body: JSON.stringify(body),
    });

  test("health check answers without auth", async () => {
    const res = await fetch(`${plane.apiUrl}/healthz`);
    assert.equal(res.status, 200);
  });

  test("every scoped route needs a valid API token", async () => {
    for (const auth of [undefined, "Bearer nope", `Bearer ${plane.agentToken}`, "Basic abc"]) {
      const res = await fetch(`${plane.apiUrl}${plane.envPath}/workflows`, {
        headers: auth ? { authorization: auth } : {},
      });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as ErrorJson).error.code, "unauthenticated");
    }
  });

  test("applies, updates, lists and reads workflows", async () => {
    const created = await put("smoke", workflow("smoke"));
    assert.equal(created.status, 201);
    const updated = await put("smoke", workflow("smoke").replace("echo hi", "echo hello"));
    assert.equal(updated.status, 200);
    const { workflow: stored } = (await updated.json()) as { workflow: { version: number } };
    assert.equal(stored.version, 2);
    const list = (await (await plane.api(`${plane.envPath}/workflows`)).json()) as {
      items: Array<{ name: string }>;
    };
    assert.ok(list.items.some((w) => w.name === "smoke"));
    const one = (await (await plane.api(`${plane.envPath}/workflows/smoke`)).json()) as { source: string };
    assert.match(one.source, /echo hello/);
    assert.equal((await plane.api(`${plane.envPath}/workflows/missing`)).status, 404);
  });

  test("an invalid workflow gets a 400 naming the field and its line", async () => {
    const bad = workflow("broken").replace("shell: echo hi", "shel: echo hi");
    const res = await put("broken", bad);
    assert.equal(res.status, 400);
    const body = (await res.json()) as ErrorJson;
    assert.equal(body.error.code, "invalid_argument");
    const issue = body.error.issues?.find((i) => i.path.includes("steps[0]"));
    assert.ok(issue, JSON.stringify(body));
    assert.equal(issue.line, 8);
    assert.equal((await put("other", workflow("smoke"))).status, 400, "name must match metadata.name");
    assert.equal((await put("yaml", "a: [unclosed")).status, 400);
    assert.equal((await put("Bad_Name", workflow("x"))).status, 400);
  });

  test("starts executions with validated config, lists them newest first with cursors", async () => {
    const params =
      "  config:\n    target:\n      type: string\n      default: staging\n    count:\n      type: integer\n      default: 1\n";
    assert.equal((await put("params", workflow("params", params))).status, 201);
    const unknown = await run("params", { config: { nope: "1" } });
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as ErrorJson).error.issues?.[0]?.path, "config.nope");
    assert.equal((await run("params", { config: { count: "one" } })).status, 400);
    assert.equal((await run("params", { extra: true })).status, 400);
    const malformed = await plane.api(`${plane.envPath}/workflows/params/executions`, {
      method: "POST",
      body: "{",
    });
    assert.equal(malformed.status, 400);

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await run("params", { config: { count: i }, tags: { i: String(i) } });
      assert.equal(res.status, 201);
      const execution = (await res.json()) as {
        id: string;
        status: string;
        config: Record<string, string>;
        steps: unknown[];
      };
      assert.equal(execution.status, "queued");
      assert.equal(execution.config.target, "staging");
      assert.equal(execution.steps.length, 1);
      ids.push(execution.id);
    }
    const page1 = (await (await plane.api(`${plane.envPath}/executions?workflow=params&limit=2`)).json()) as {
      items: Array<{ id: string }>;
      nextCursor?: string;
    };
    assert.deepEqual(
      page1.items.map((e) => e.id),
      [ids[2], ids[1]],
    );
    assert.ok(page1.nextCursor);
    const page2 = (await (
      await plane.api(`${plane.envPath}/executions?workflow=params&limit=2&cursor=${page1.nextCursor}`)
    ).json()) as { items: Array<{ id: string }> };
    assert.deepEqual(
      page2.items.map((e) => e.id),
      [ids[0]],
    );
    assert.equal((await plane.api(`${plane.envPath}/executions?cursor=garbage!`)).status, 400);
    assert.equal((await plane.api(`${plane.envPath}/executions?status=sideways`)).status, 400);
    assert.equal((await plane.api(`${plane.envPath}/executions?limit=0`)).status, 400);
    assert.equal((await plane.api(`${plane.envPath}/executions/not-an-id`)).status, 400);
    assert.equal((await plane.api(`${plane.envPath}/executions/01ARZ3NDEKTSV4RRFFQ69G5FAV`)).status, 404);
  });

  test("aborting a queued run cancels it; deleting needs a finished run", async () => {
    await put("smoke", workflow("smoke"));
    const { id } = (await (await run("smoke")).json()) as { id: string };
    const abort = await plane.api(`${plane.envPath}/executions/${id}/abort`, { method: "POST" });
    assert.equal(abort.status, 202);
    assert.equal(((await abort.json()) as { status: string }).status, "canceled");
    const again = await plane.api(`${plane.envPath}/executions/${id}/abort`, { method: "POST" });
    assert.equal(again.status, 409);
    const { id: queuedId } = (await (await run("smoke")).json()) as { id: string };
    assert.equal(
      (await plane.api(`${plane.envPath}/executions/${queuedId}`, { method: "DELETE" })).status,
      409,
    );
    assert.equal((await plane.api(`${plane.envPath}/executions/${id}`, { method: "DELETE" })).status, 204);
    assert.equal((await plane.api(`${plane.envPath}/executions/${id}`)).status, 404);
    const audit = (await (await plane.api(`/v1/orgs/${plane.orgId}/audit`)).json()) as {
      items: Array<{ action: string; target?: { id: string } }>;
    };
    assert.ok(
      audit.items.some((e) => e.action === "execution.deleted" && e.target?.id === id),
      "the deletion is audited",
    );
  });

  test("other tenants get 404, viewers cannot run", async () => {
    const now = new Date().toISOString();
    await plane.core.ports.orgs.createOrg({ id: "other", name: "Other", plan: "free", createdAt: now });
    await plane.core.ports.orgs.createEnv({ orgId: "other", id: "prod", name: "Prod", createdAt: now });
    const outsider = await plane.core.tokens.issue({ kind: "api", name: "x", orgId: "other", role: "owner" });
    const res = await fetch(`${plane.apiUrl}${plane.envPath}/workflows/smoke`, {
      headers: { authorization: `Bearer ${outsider.secret}` },
    });
    assert.equal(res.status, 404);
    assert.equal((await plane.api(`/v1/orgs/${plane.orgId}/envs/nope/workflows`)).status, 404);

    const viewer = await plane.core.tokens.issue({
      kind: "api",
      name: "v",
      orgId: plane.orgId,
      role: "viewer",
    });
    const auth = { authorization: `Bearer ${viewer.secret}` };
    assert.equal((await fetch(`${plane.apiUrl}${plane.envPath}/workflows`, { headers: auth })).status, 200);
    const denied = await fetch(`${plane.apiUrl}${plane.envPath}/workflows/smoke/executions`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    assert.equal(denied.status, 403);
  });

  test("tokens never reach the log", () => {
    const text = plane.logger.lines.join("\n");
    assert.ok(!text.includes(plane.apiToken));
    assert.ok(!text.includes(plane.agentToken));
  });
});
