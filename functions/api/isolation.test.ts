/**
 * The tenant-isolation matrix: for EVERY documented route (the OpenAPI specs, which a test in
 * tenancy.test.ts proves cover every mounted route), a caller without credentials, with an agent
 * token, an expired or a revoked API token gets 401; a caller from another organization (token
 * or session) gets 404; a role just below the route's needs gets 403; and the lowest role that
 * may call it is not refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Role } from "@assay/shared";
import { callerFor } from "../testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createTenantFixture, type TenantFixture } from "../testing/tenant-fixture.ts";
import type { RouteSpec } from "./route-spec.ts";
import { ENV_BASE } from "./routes/envs.ts";
import { allRouteSpecs } from "./routes/openapi.ts";

const RANKS: Role[] = ["viewer", "member", "admin", "owner"];

/** What each state-changing (or sensitive) route needs; other GETs need viewer. */
const NEEDS: Record<string, Role | "user"> = {
  "post /v1/orgs": "user",
  "post /v1/invitations/:token/accept": "user",
  "patch /v1/orgs/:org": "admin",
  "delete /v1/orgs/:org": "owner",
  "patch /v1/orgs/:org/members/:user": "admin",
  "delete /v1/orgs/:org/members/:user": "admin",
  "post /v1/orgs/:org/invitations": "admin",
  "get /v1/orgs/:org/invitations": "admin",
  "delete /v1/orgs/:org/invitations/:id": "admin",
  "post /v1/orgs/:org/api-tokens": "admin",
  "get /v1/orgs/:org/api-tokens": "admin",
  "delete /v1/orgs/:org/api-tokens/:id": "admin",
  "get /v1/orgs/:org/audit": "admin",
  "get /v1/orgs/:org/sso": "admin",
  "put /v1/orgs/:org/sso": "admin",
  "post /v1/orgs/:org/envs": "admin",
  [`patch ${ENV_BASE}`]: "admin",
  [`delete ${ENV_BASE}`]: "admin",
  [`post ${ENV_BASE}/agent-tokens`]: "admin",
  [`get ${ENV_BASE}/agent-tokens`]: "admin",
  [`delete ${ENV_BASE}/agent-tokens/:id`]: "admin",
  [`put ${ENV_BASE}/workflows/:name`]: "member",
  [`delete ${ENV_BASE}/workflows/:name`]: "member",
  [`post ${ENV_BASE}/workflows/:name/executions`]: "member",
  [`post ${ENV_BASE}/workflows/:name/schedules`]: "member",
  [`patch ${ENV_BASE}/workflows/:name/schedules/:index`]: "member",
  [`post ${ENV_BASE}/executions/:id/abort`]: "member",
  [`post ${ENV_BASE}/executions/:id/pause`]: "member",
  [`post ${ENV_BASE}/executions/:id/resume`]: "member",
  [`post ${ENV_BASE}/executions/:id/rerun`]: "member",
  [`delete ${ENV_BASE}/executions/:id`]: "member",
  [`put ${ENV_BASE}/templates/:name`]: "member",
  [`delete ${ENV_BASE}/templates/:name`]: "member",
  "put /v1/orgs/:org/credentials/:name": "admin",
  "delete /v1/orgs/:org/credentials/:name": "admin",
  [`put ${ENV_BASE}/credentials/:name`]: "admin",
  [`delete ${ENV_BASE}/credentials/:name`]: "admin",
  // Webhooks send run data out and their URLs can be credentials: admin for reads too.
  [`post ${ENV_BASE}/webhooks`]: "admin",
  [`get ${ENV_BASE}/webhooks`]: "admin",
  [`get ${ENV_BASE}/webhooks/:name`]: "admin",
  [`put ${ENV_BASE}/webhooks/:name`]: "admin",
  [`patch ${ENV_BASE}/webhooks/:name`]: "admin",
  [`delete ${ENV_BASE}/webhooks/:name`]: "admin",
  [`get ${ENV_BASE}/webhooks/:name/deliveries`]: "admin",
  [`post ${ENV_BASE}/webhooks/:name/deliveries/:id/redeliver`]: "admin",
};

/** A valid body per route, so a refusal is about the caller and not the input. */
const BODIES: Record<string, string> = {
  "post /v1/orgs": JSON.stringify({ name: "New org" }),
  "patch /v1/orgs/:org": JSON.stringify({ name: "Renamed" }),
  "patch /v1/orgs/:org/members/:user": JSON.stringify({ role: "viewer" }),
  "post /v1/orgs/:org/invitations": JSON.stringify({ email: "someone@example.com", role: "viewer" }),
  "post /v1/orgs/:org/api-tokens": JSON.stringify({ name: "t", role: "viewer" }),
  "post /v1/orgs/:org/envs": JSON.stringify({ id: "fresh" }),
  "put /v1/orgs/:org/sso": JSON.stringify({
    enabled: false,
    issuer: "https://idp.example.com",
    clientId: "assay",
    clientSecret: "s",
  }),
  [`patch ${ENV_BASE}`]: JSON.stringify({ name: "Renamed" }),
  [`post ${ENV_BASE}/agent-tokens`]: JSON.stringify({ name: "t" }),
  [`put ${ENV_BASE}/workflows/:name`]:
    "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: smoke\nspec:\n  steps:\n    - shell: echo\n",
  [`post ${ENV_BASE}/workflows/:name/executions`]: "{}",
  "put /v1/orgs/:org/credentials/:name": JSON.stringify({ value: "v", kind: "secret" }),
  [`put ${ENV_BASE}/credentials/:name`]: JSON.stringify({ value: "v", kind: "secret" }),
  [`post ${ENV_BASE}/webhooks`]: JSON.stringify({
    name: "another",
    url: "http://127.0.0.1:9/hook",
    events: ["start-testworkflow"],
  }),
  [`put ${ENV_BASE}/webhooks/:name`]:
    "apiVersion: executor.testkube.io/v1\nkind: Webhook\nmetadata:\n  name: smoke\nspec:\n  uri: http://127.0.0.1:9/hook\n  events: [end-testworkflow-failed]\n",
  [`patch ${ENV_BASE}/webhooks/:name`]: JSON.stringify({ disabled: true }),
  [`put ${ENV_BASE}/templates/:name`]:
    "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflowTemplate\nmetadata:\n  name: smoke\nspec:\n  steps:\n    - shell: echo\n",
};

const keyOf = (spec: RouteSpec) => `${spec.method} ${spec.path}`;

describe("tenant isolation matrix", () => {
  let plane: TestControlPlane;
  let fx: TenantFixture;
  before(async () => {
    // Hundreds of deliberate 401s from one address: lift the auth-failure limit for this file.
    plane = await startTestControlPlane({
      tenancy: { rateLimits: { "auth-failure:ip": { limit: 100_000, windowSeconds: 60 } } },
    });
    fx = await createTenantFixture(plane);
  });
  after(async () => {
    await plane?.stop();
  });

  const send = (spec: RouteSpec, auth: { token?: string; cookie?: string }) =>
    callerFor(plane, auth)(fx.pathFor(spec.path), {
      method: spec.method.toUpperCase(),
      ...(BODIES[keyOf(spec)] ? { body: BODIES[keyOf(spec)] } : {}),
      redirect: "manual",
    });

  test("every protected route: 401 without valid API credentials, 404 across tenants, 403 below its role", async () => {
    const specs = allRouteSpecs({ devOutbox: true }).filter((s) => s.auth !== "none");
    assert.ok(specs.length >= 40, `only ${specs.length} routes`);
    const failures: string[] = [];
    const expect = async (spec: RouteSpec, who: string, res: Promise<Response>, status: number) => {
      const r = await res;
      if (r.status !== status)
        failures.push(`${keyOf(spec)} as ${who}: ${r.status} (wanted ${status}) ${await r.text()}`);
    };
    for (const spec of specs) {
      await expect(spec, "nobody", send(spec, {}), 401);
      await expect(spec, "agent token", send(spec, { token: fx.agentToken }), 401);
      await expect(spec, "expired token", send(spec, { token: fx.tokens.expired }), 401);
      await expect(spec, "revoked token", send(spec, { token: fx.tokens.revoked }), 401);
      await expect(spec, "garbage token", send(spec, { token: "asy_api_forged" }), 401);
      if (spec.path.includes(":org")) {
        await expect(spec, "other org's token", send(spec, { token: fx.tokens.outsider }), 404);
        await expect(spec, "other org's owner", send(spec, { cookie: fx.outsider.cookie }), 404);
      }
      const needs = NEEDS[keyOf(spec)] ?? (spec.method === "get" ? "viewer" : undefined);
      if (needs === undefined) {
        failures.push(`${keyOf(spec)} has no role in the matrix: classify it`);
      } else if (needs === "user") {
        await expect(spec, "an API token", send(spec, { token: fx.tokens.owner }), 403);
      } else {
        const rank = RANKS.indexOf(needs);
        const below = RANKS[rank - 1];
        if (below) await expect(spec, below, send(spec, { token: fx.tokens[below] }), 403);
      }
    }
    assert.deepEqual(failures, []);
  });

  test("the lowest allowed role is not refused on read routes; routes without an org leak nothing", async () => {
    for (const spec of allRouteSpecs({ devOutbox: true })) {
      if (spec.method !== "get" || spec.auth === "none" || NEEDS[keyOf(spec)]) continue;
      const res = await send(spec, { token: fx.tokens.viewer });
      assert.ok(![401, 403].includes(res.status), `${keyOf(spec)} refused a viewer (${res.status})`);
      assert.ok(res.status < 500, `${keyOf(spec)}: ${res.status}`);
    }
    for (const path of ["/v1/me", "/v1/orgs"]) {
      const text = await (await callerFor(plane, { token: fx.tokens.outsider })(path)).text();
      assert.ok(!text.includes(fx.orgA), `${path} shows org A to an outsider`);
      const asUser = await (await callerFor(plane, { cookie: fx.outsider.cookie })(path)).text();
      assert.ok(!asUser.includes(fx.orgA));
    }
  });

  test("a member's session reaches its own org only", async () => {
    const bob = callerFor(plane, { cookie: fx.bob.cookie });
    assert.equal((await bob(`/v1/orgs/${fx.orgA}/envs/prod/workflows`)).status, 200);
    assert.equal((await bob(`/v1/orgs/${fx.orgB}`)).status, 404);
    assert.equal((await bob(`/v1/orgs/${fx.orgB}/envs/prod/workflows`)).status, 404);
    const run = await bob(`/v1/orgs/${fx.orgA}/envs/prod/workflows/smoke/executions`, {
      method: "POST",
      json: {},
    });
    assert.equal(run.status, 201, "members run workflows");
  });
});
