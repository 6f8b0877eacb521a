/**
 * Organizations, members, invitations, tokens, environments, agents, plan limits, the audit log
 * and the OpenAPI document, over HTTP on a real local control plane with a real gRPC agent.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { json, lastMailToken, signUp, uniqueEmail } from "../testing/accounts.ts";
import { connectTestAgent } from "../testing/grpc-agent.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createApiApp } from "./app.ts";
import { toOpenApiPath } from "./route-spec.ts";
import { allRouteSpecs } from "./routes/openapi.ts";

interface ErrorJson {
  error: { code: string; message: string };
}
type Session = Awaited<ReturnType<typeof signUp>>;

const WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: smoke
spec:
  steps:
    - name: hi
      shell: echo hi
`;

describe("organizations, members and environments API", () => {
  let plane: TestControlPlane;
  let alice: Session;
  let org: string;
  before(async () => {
    plane = await startTestControlPlane();
    alice = await signUp(plane, uniqueEmail("alice"));
    org = alice.org.id;
  });
  after(async () => {
    await plane?.stop();
  });

  test("organizations: create (slug taken is 409), read, rename, change plan", async () => {
    const created = await alice.as("/v1/orgs", { method: "POST", json: { id: "acme-corp", name: "Acme" } });
    assert.equal(created.status, 201);
    assert.equal((await json<{ role: string }>(created)).role, "owner");
    const taken = await alice.as("/v1/orgs", { method: "POST", json: { id: "acme-corp", name: "Other" } });
    assert.equal(taken.status, 409);
    const listed = await json<{ items: Array<{ id: string }> }>(await alice.as("/v1/orgs"));
    assert.deepEqual(listed.items.map((o) => o.id).sort(), ["acme-corp", org].sort());
    const renamed = await alice.as("/v1/orgs/acme-corp", { method: "PATCH", json: { name: "Acme Inc" } });
    assert.equal((await json<{ name: string }>(renamed)).name, "Acme Inc");
    const view = await json<{ plan: string; limits: { environments: number } }>(
      await alice.as("/v1/orgs/acme-corp"),
    );
    assert.deepEqual([view.plan, view.limits.environments], ["free", 3]);
  });

  test("plan limits: a 4th environment on free is refused with the limit named; team allows it", async () => {
    for (const id of ["one", "two", "three"]) {
      assert.equal((await alice.as("/v1/orgs/acme-corp/envs", { method: "POST", json: { id } })).status, 201);
    }
    const fourth = await alice.as("/v1/orgs/acme-corp/envs", { method: "POST", json: { id: "four" } });
    assert.equal(fourth.status, 429);
    const body = await json<ErrorJson>(fourth);
    assert.equal(body.error.code, "resource_exhausted");
    assert.match(body.error.message, /at most 3 environments/);
    await alice.as("/v1/orgs/acme-corp", { method: "PATCH", json: { plan: "team" } });
    assert.equal(
      (await alice.as("/v1/orgs/acme-corp/envs", { method: "POST", json: { id: "four" } })).status,
      201,
    );
    const downgrade = await alice.as("/v1/orgs/acme-corp", { method: "PATCH", json: { plan: "free" } });
    assert.equal(downgrade.status, 409);
    const dup = await alice.as("/v1/orgs/acme-corp/envs", { method: "POST", json: { id: "one" } });
    assert.equal(dup.status, 409);
  });

  test("invitations and roles: admins up to admin, owners for owners, the last owner stays", async () => {
    const bobEmail = uniqueEmail("bob");
    const invite = await alice.as(`/v1/orgs/${org}/invitations`, {
      method: "POST",
      json: { email: bobEmail, role: "admin" },
    });
    assert.equal(invite.status, 201);
    assert.ok(!JSON.stringify(await invite.json()).includes("token"), "the secret only goes by email");
    const inviteToken = lastMailToken(plane, bobEmail);
    const bob = await signUp(plane, bobEmail);
    const mallory = await signUp(plane, uniqueEmail("mallory"));
    const stolen = await mallory.as(`/v1/invitations/${inviteToken}/accept`, { method: "POST" });
    assert.equal(stolen.status, 403, "only the invited address can accept");
    assert.equal((await bob.as(`/v1/invitations/${inviteToken}/accept`, { method: "POST" })).status, 200);
    assert.equal((await bob.as(`/v1/invitations/${inviteToken}/accept`, { method: "POST" })).status, 404);

    const members = await json<{ items: Array<{ userId: string; role: string }> }>(
      await bob.as(`/v1/orgs/${org}/members`),
    );
    assert.deepEqual(members.items.map((m) => m.role).sort(), ["admin", "owner"]);
    const ownerInvite = await bob.as(`/v1/orgs/${org}/invitations`, {
      method: "POST",
      json: { email: uniqueEmail("x"), role: "owner" },
    });
    assert.equal(ownerInvite.status, 403, "an admin cannot make owners");
    assert.equal(
      (
        await bob.as(`/v1/orgs/${org}/members/${alice.user.id}`, {
          method: "PATCH",
          json: { role: "viewer" },
        })
      ).status,
      403,
      "an admin cannot demote an owner",
    );
    const lastOwner = await alice.as(`/v1/orgs/${org}/members/${alice.user.id}`, {
      method: "PATCH",
      json: { role: "admin" },
    });
    assert.equal(lastOwner.status, 409);
    assert.equal(
      (await alice.as(`/v1/orgs/${org}/members/${alice.user.id}`, { method: "DELETE" })).status,
      409,
    );
    const promote = await alice.as(`/v1/orgs/${org}/members/${bob.user.id}`, {
      method: "PATCH",
      json: { role: "owner" },
    });
    assert.equal(promote.status, 200);
    const demoteSelf = await alice.as(`/v1/orgs/${org}/members/${alice.user.id}`, {
      method: "PATCH",
      json: { role: "member" },
    });
    assert.equal(demoteSelf.status, 200, "with two owners one may step down");
    alice = { ...alice };
    await bob.as(`/v1/orgs/${org}/members/${alice.user.id}`, { method: "PATCH", json: { role: "owner" } });
    // Mallory is not a member: everything of the org is 404 to her.
    assert.equal((await mallory.as(`/v1/orgs/${org}`)).status, 404);
    assert.equal((await mallory.as(`/v1/orgs/${org}/members`)).status, 404);
  });

  test("API tokens: role capped by the creator's, secret once, last used, expiry, revocation", async () => {
    const carolEmail = uniqueEmail("carol");
    await alice.as(`/v1/orgs/${org}/invitations`, {
      method: "POST",
      json: { email: carolEmail, role: "admin" },
    });
    const token = lastMailToken(plane, carolEmail);
    const carol = await signUp(plane, carolEmail);
    await carol.as(`/v1/invitations/${token}/accept`, { method: "POST" });
    const tooHigh = await carol.as(`/v1/orgs/${org}/api-tokens`, {
      method: "POST",
      json: { name: "x", role: "owner" },
    });
    assert.equal(tooHigh.status, 403);
    const made = await json<{ token: { id: string }; secret: string }>(
      await carol.as(`/v1/orgs/${org}/api-tokens`, { method: "POST", json: { name: "ci", role: "member" } }),
    );
    assert.match(made.secret, /^asy_api_/);
    const bearer = (path: string, init: RequestInit = {}) =>
      fetch(`${plane.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${made.secret}` } });
    assert.equal((await bearer(`/v1/orgs/${org}/envs`)).status, 200);
    const list = await json<{ items: Array<Record<string, unknown>> }>(
      await carol.as(`/v1/orgs/${org}/api-tokens`),
    );
    const listed = list.items.find((t) => t.id === made.token.id);
    assert.ok(listed?.lastUsedAt, "lastUsedAt is recorded");
    assert.ok(!("hash" in listed) && !JSON.stringify(list).includes(made.secret));
    assert.equal(
      (await bearer(`/v1/orgs/${org}/api-tokens`)).status,
      403,
      "a member token cannot manage tokens",
    );
    const revoke = await carol.as(`/v1/orgs/${org}/api-tokens/${made.token.id}`, { method: "DELETE" });
    assert.equal(revoke.status, 204);
    assert.equal((await bearer(`/v1/orgs/${org}/envs`)).status, 401);

    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const short = await json<{ secret: string }>(
      await carol.as(`/v1/orgs/${org}/api-tokens`, {
        method: "POST",
        json: { name: "short", role: "viewer", expiresAt },
      }),
    );
    const auth = { authorization: `Bearer ${short.secret}` };
    assert.equal((await fetch(`${plane.apiUrl}/v1/orgs/${org}`, { headers: auth })).status, 200);
    await new Promise((r) => setTimeout(r, 1700));
    assert.equal((await fetch(`${plane.apiUrl}/v1/orgs/${org}`, { headers: auth })).status, 401);
    const past = await carol.as(`/v1/orgs/${org}/api-tokens`, {
      method: "POST",
      json: { name: "past", role: "viewer", expiresAt: "2020-01-01T00:00:00Z" },
    });
    assert.equal(past.status, 400);
  });

  test("agents: install commands, presence online then offline, revoking disconnects within 5 s", async () => {
    assert.equal(
      (await alice.as(`/v1/orgs/${org}/envs`, { method: "POST", json: { id: "staging" } })).status,
      201,
    );
    const base = `/v1/orgs/${org}/envs/staging`;
    const install = await json<{ npx: string; kubernetes: string; tokenIncluded: boolean }>(
      await alice.as(`${base}/install`),
    );
    assert.equal(install.tokenIncluded, false);
    assert.match(
      install.npx,
      /^ASSAY_AGENT_TOKEN='<AGENT_TOKEN>' npx --yes http:\/\/127\.0\.0\.1:\d+\/agent\/assay-agent-[\d.]+\.tgz agent --url https:\/\/localhost:\d+ --ca-file /,
    );
    assert.match(install.kubernetes, /kind: Deployment/);
    const made = await json<{
      token: { id: string };
      secret: string;
      install: { npx: string; docker: string };
    }>(await alice.as(`${base}/agent-tokens`, { method: "POST", json: { name: "k8s" } }));
    assert.match(made.secret, /^asy_agent_/);
    assert.ok(made.install.npx.includes(made.secret) && made.install.docker.includes(made.secret));
    assert.equal(
      (
        await fetch(`${plane.apiUrl}/v1/orgs/${org}/envs`, {
          headers: { authorization: `Bearer ${made.secret}` },
        })
      ).status,
      401,
      "an agent token is not an API token",
    );

    const agent = connectTestAgent(plane, made.secret, "agent-one");
    assert.ok(await agent.welcomed());
    let agents: Array<{ agentId: string; status: string; version: string; hostname: string }> = [];
    for (let i = 0; i < 40 && agents.length === 0; i++) {
      agents = (await json<{ items: typeof agents }>(await alice.as(`${base}/agents`))).items;
      if (agents.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(
      agents.map((a) => [a.agentId, a.status, a.version, a.hostname]),
      [[agent.agentId(), "online", "9.9.9-test", "test-host"]],
    );
    // A token in use says so: the ingress records its last use when the agent connects.
    let lastUsedAt: string | undefined;
    for (let i = 0; i < 40 && !lastUsedAt; i++) {
      const listed = await json<{ items: Array<{ id: string; lastUsedAt?: string }> }>(
        await alice.as(`${base}/agent-tokens`),
      );
      lastUsedAt = listed.items.find((t) => t.id === made.token.id)?.lastUsedAt;
      if (!lastUsedAt) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(lastUsedAt, "lastUsedAt of the agent token");
    assert.equal((await alice.as(`${base}/agent-tokens/${made.token.id}`, { method: "DELETE" })).status, 204);
    const ended = await agent.ended(5_000);
    assert.ok(ended, "the stream ended within the token re-check interval's bound");
    agent.close();
    for (let i = 0; i < 40; i++) {
      agents = (await json<{ items: typeof agents }>(await alice.as(`${base}/agents`))).items;
      if (agents[0]?.status === "offline") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(agents[0]?.status, "offline");
    const tokens = await json<{ items: Array<{ revokedAt?: string }> }>(
      await alice.as(`${base}/agent-tokens`),
    );
    assert.ok(tokens.items[0]?.revokedAt);
  });

  test("agents: a rotated stream leaves the agent online (no disconnect write); a closed one goes offline", async () => {
    assert.equal(
      (await alice.as(`/v1/orgs/${org}/envs`, { method: "POST", json: { id: "rotation" } })).status,
      201,
    );
    const base = `/v1/orgs/${org}/envs/rotation`;
    const made = await json<{ secret: string }>(
      await alice.as(`${base}/agent-tokens`, { method: "POST", json: { name: "rotating" } }),
    );
    const statusOf = async (agentId: string | undefined) => {
      const listed = await json<{ items: Array<{ agentId: string; status: string }> }>(
        await alice.as(`${base}/agents`),
      );
      return listed.items.find((a) => a.agentId === agentId)?.status;
    };
    const agent = connectTestAgent(plane, made.secret, "agent-rotating");
    assert.ok(await agent.welcomed());
    const id = agent.agentId();
    for (let i = 0; i < 40 && (await statusOf(id)) !== "online"; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(await statusOf(id), "online");
    agent.rotate();
    assert.ok(await agent.ended(5_000), "the rotated stream ended");
    // Well past the time a closed stream takes to be marked offline (below).
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(await statusOf(id), "online", "a rotation writes no disconnect");
    // The next stream closes before its first presence batch: it is still marked offline.
    const again = connectTestAgent(plane, made.secret, "agent-rotating");
    assert.ok(await again.welcomed());
    assert.equal(again.agentId(), id, "the same identity comes back");
    again.close();
    let status: string | undefined;
    for (let i = 0; i < 60 && status !== "offline"; i++) {
      status = await statusOf(id);
      if (status !== "offline") await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, "offline", "a stream closed without reconnecting is marked offline");
  });

  test("runs beyond the plan's concurrency wait queued; only a full queue refuses, and aborting frees a place", async () => {
    const base = `/v1/orgs/${org}/envs/staging`;
    const put = await alice.as(`${base}/workflows/smoke`, { method: "PUT", body: WORKFLOW });
    assert.equal(put.status, 201);
    const ids: string[] = [];
    // The free plan runs 5 at a time and lets 20 wait: the 6th to 20th are queued, not refused.
    for (let i = 0; i < 20; i++) {
      const res = await alice.as(`${base}/workflows/smoke/executions`, { method: "POST", json: {} });
      assert.equal(res.status, 201, `run ${i + 1}`);
      ids.push((await json<{ id: string }>(res)).id);
    }
    const over = await alice.as(`${base}/workflows/smoke/executions`, { method: "POST", json: {} });
    assert.equal(over.status, 429);
    assert.match((await json<ErrorJson>(over)).error.message, /at most 20 queued executions/);
    assert.equal((await alice.as(`${base}/executions/${ids[0]}/abort`, { method: "POST" })).status, 202);
    const again = await alice.as(`${base}/workflows/smoke/executions`, { method: "POST", json: {} });
    assert.equal(again.status, 201);
    ids.push((await json<{ id: string }>(again)).id);
    for (const id of ids.slice(1)) await alice.as(`${base}/executions/${id}/abort`, { method: "POST" });
  });

  test("deleting an environment revokes its tokens, cleans up its runs and frees its slots", async () => {
    const base = `/v1/orgs/${org}/envs/staging`;
    const token = await json<{ secret: string }>(
      await alice.as(`${base}/agent-tokens`, { method: "POST", json: { name: "doomed" } }),
    );
    assert.equal((await alice.as(base, { method: "DELETE" })).status, 204);
    assert.equal((await alice.as(base)).status, 404);
    assert.equal((await alice.as(`${base}/workflows`)).status, 404);
    const agent = connectTestAgent(plane, token.secret, "late");
    assert.ok(await agent.ended(), "its tokens no longer connect");
    agent.close();
    await alice.as(`/v1/orgs/${org}/envs`, { method: "POST", json: { id: "staging" } });
    assert.deepEqual(
      (await json<{ items: unknown[] }>(await alice.as(`${base}/workflows`))).items,
      [],
      "nothing inherited",
    );
    await alice.as(`${base}/workflows/smoke`, { method: "PUT", body: WORKFLOW });
    for (let i = 0; i < 5; i++) {
      assert.equal(
        (await alice.as(`${base}/workflows/smoke/executions`, { method: "POST", json: {} })).status,
        201,
      );
    }
  });

  test("the audit log records security events; members cannot read it", async () => {
    const page = await json<{ items: Array<{ action: string; actor: { label: string } }> }>(
      await alice.as(`/v1/orgs/${org}/audit?limit=200`),
    );
    const actions = new Set(page.items.map((e) => e.action));
    for (const action of [
      "org.created",
      "auth.signup",
      "invitation.created",
      "member.joined",
      "member.role_changed",
      "api_token.created",
      "api_token.revoked",
      "agent_token.created",
      "agent_token.revoked",
      "env.deleted",
    ]) {
      assert.ok(actions.has(action), `audit has ${action}: ${[...actions].join(", ")}`);
    }
    const daveEmail = uniqueEmail("dave");
    await alice.as(`/v1/orgs/${org}/invitations`, {
      method: "POST",
      json: { email: daveEmail, role: "member" },
    });
    const token = lastMailToken(plane, daveEmail);
    const dave = await signUp(plane, daveEmail);
    await dave.as(`/v1/invitations/${token}/accept`, { method: "POST" });
    assert.equal((await dave.as(`/v1/orgs/${org}/audit`)).status, 403);
    assert.equal(
      (await dave.as(`/v1/orgs/${org}/envs`, { method: "POST", json: { id: "nope" } })).status,
      403,
    );
    assert.equal(
      (await dave.as(`/v1/orgs/${org}/members/${dave.user.id}`, { method: "DELETE" })).status,
      204,
      "leave",
    );
    assert.equal((await dave.as(`/v1/orgs/${org}`)).status, 404);
  });

  test("deleting an organization: members lose it, the slug stays reserved", async () => {
    const gone = await alice.as("/v1/orgs", { method: "POST", json: { id: "short-lived", name: "Tmp" } });
    assert.equal(gone.status, 201);
    await alice.as("/v1/orgs/short-lived/envs", { method: "POST", json: { id: "e1" } });
    assert.equal((await alice.as("/v1/orgs/short-lived", { method: "DELETE" })).status, 204);
    assert.equal((await alice.as("/v1/orgs/short-lived")).status, 404);
    assert.equal((await alice.as("/v1/orgs/short-lived/envs/e1")).status, 404);
    const again = await alice.as("/v1/orgs", { method: "POST", json: { id: "short-lived", name: "Again" } });
    assert.equal(again.status, 409);
  });

  test("the OpenAPI document describes every mounted route", async () => {
    const res = await fetch(`${plane.apiUrl}/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(res);
    assert.equal(doc.openapi, "3.1.0");
    const app = createApiApp({
      ...plane.core,
      orgs: plane.core.ports.orgs,
      bus: plane.core.ports.bus,
      logger: plane.logger,
      outbox: plane.outbox,
    });
    const mounted = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.path.replace(/\/$/, "") || "/")}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)),
    );
    assert.deepEqual(
      [...mounted].filter((r) => !documented.has(r)),
      [],
      "undocumented routes",
    );
    assert.deepEqual(
      [...documented].filter((r) => !mounted.has(r)),
      [],
      "documented but not mounted",
    );
    assert.equal(allRouteSpecs({ devOutbox: true }).length, documented.size);
    const signup = doc.paths["/v1/auth/signup"]?.post as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    assert.deepEqual(signup.requestBody.content["application/json"]?.schema.required.sort(), [
      "email",
      "password",
    ]);
  });
});
