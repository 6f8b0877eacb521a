/**
 * Two tenants with one of everything, for the isolation matrix and the property-based tests:
 * org A (owner session, a member user, API tokens of every role, a revoked and an expired one,
 * an agent token, an environment with a workflow and an execution, a pending invitation) and
 * org B (its owner's session and token). `pathFor` fills a route's parameters with org A's ids.
 */
import assert from "node:assert/strict";
import type { Role } from "@assay/shared";
import { hashToken } from "../core/tokens.ts";
import { callerFor, json, lastMailToken, signUp, uniqueEmail } from "./accounts.ts";
import type { TestControlPlane } from "./harness.ts";

const WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: smoke
spec:
  steps:
    - name: hi
      shell: echo hi
`;

export async function createTenantFixture(plane: TestControlPlane) {
  const alice = await signUp(plane, uniqueEmail("owner-a"));
  const outsider = await signUp(plane, uniqueEmail("owner-b"));
  const orgA = alice.org.id;
  const issue = async (role: Role, orgId = orgA, expiresAt?: string) =>
    (await plane.core.tokens.issue({ kind: "api", name: role, orgId, role, expiresAt })).secret;
  const tokens = {
    owner: await issue("owner"),
    admin: await issue("admin"),
    member: await issue("member"),
    viewer: await issue("viewer"),
    expired: await issue("owner", orgA, "2020-01-01T00:00:00.000Z"),
    revoked: await issue("owner"),
    outsider: await issue("owner", outsider.org.id),
  };
  const revoked = await plane.core.ports.tokens.getByHash(hashToken(tokens.revoked));
  assert.ok(revoked);
  await plane.core.ports.tokens.revoke(orgA, revoked.id, new Date().toISOString());

  const owner = callerFor(plane, { token: tokens.owner });
  const ok = async (res: Promise<Response>, status = 201) => {
    const r = await res;
    assert.equal(r.status, status, await r.clone().text());
    return r;
  };
  await ok(owner(`/v1/orgs/${orgA}/envs`, { method: "POST", json: { id: "prod" } }));
  const envPath = `/v1/orgs/${orgA}/envs/prod`;
  await ok(owner(`${envPath}/workflows/smoke`, { method: "PUT", body: WORKFLOW }));
  const execution = await json<{ id: string }>(
    await ok(owner(`${envPath}/workflows/smoke/executions`, { method: "POST", json: {} })),
  );
  const agent = await json<{ token: { id: string }; secret: string }>(
    await ok(owner(`${envPath}/agent-tokens`, { method: "POST", json: { name: "agent" } })),
  );
  const apiToken = await json<{ token: { id: string } }>(
    await ok(
      owner(`/v1/orgs/${orgA}/api-tokens`, { method: "POST", json: { name: "target", role: "viewer" } }),
    ),
  );
  // A disabled webhook named like the workflow, so `:name` of the webhook routes finds one.
  await ok(
    owner(`${envPath}/webhooks`, {
      method: "POST",
      json: {
        name: "smoke",
        url: "http://127.0.0.1:9/hook",
        events: ["end-testworkflow-success"],
        disabled: true,
      },
    }),
  );
  const bobEmail = uniqueEmail("member-a");
  await ok(
    owner(`/v1/orgs/${orgA}/invitations`, { method: "POST", json: { email: bobEmail, role: "member" } }),
  );
  const bobInvite = lastMailToken(plane, bobEmail);
  const bob = await signUp(plane, bobEmail);
  await ok(bob.as(`/v1/invitations/${bobInvite}/accept`, { method: "POST" }), 200);
  const pendingEmail = uniqueEmail("pending");
  const invitation = await json<{ id: string }>(
    await ok(
      owner(`/v1/orgs/${orgA}/invitations`, {
        method: "POST",
        json: { email: pendingEmail, role: "viewer" },
      }),
    ),
  );
  const invitationToken = lastMailToken(plane, pendingEmail);

  /** Org A's ids for a route's parameters (`:id` depends on the route). */
  const pathFor = (path: string): string =>
    path
      .replace(":org", orgA)
      .replace(":env", "prod")
      .replace(":name", "smoke")
      .replace(":user", bob.user.id)
      .replace(":token", invitationToken)
      .replace(/\/\*$/, "/report.xml")
      .replace(
        ":id",
        path.includes("/deliveries/")
          ? "01ARZ3NDEKTSV4RRFFQ69G5FAV"
          : path.includes("/executions/")
            ? execution.id
            : path.includes("/invitations/")
              ? invitation.id
              : path.includes("/agent-tokens/")
                ? agent.token.id
                : apiToken.token.id,
      );

  return { orgA, orgB: outsider.org.id, alice, bob, outsider, tokens, agentToken: agent.secret, pathFor };
}

export type TenantFixture = Awaited<ReturnType<typeof createTenantFixture>>;
