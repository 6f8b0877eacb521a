/**
 * Signing up from an invitation link, on a real local control plane: the signed-out link
 * previews itself (organization, inviter, role); a sign-up that carries the invitation joins
 * that organization when the address is verified, with no personal organization; a bad or
 * foreign invitation is refused up front with the field named; an invitation revoked between
 * sign-up and verification leaves the new account with its own organization.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  anonymous,
  callerFor,
  json,
  lastMailToken,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  uniqueEmail,
} from "../testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

type ErrorBody = { error: { code: string; message: string; issues: Array<{ path: string }> } };

describe("sign-up from an invitation", () => {
  let plane: TestControlPlane;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let orgId = "";

  before(async () => {
    plane = await startTestControlPlane();
    owner = await signUp(plane, uniqueEmail("owner"), STRONG_PASSWORD, "Olive");
    const org = await owner.as("/v1/orgs", { method: "POST", json: { name: "Acme QA" } });
    orgId = (await json<{ id: string }>(org)).id;
  });
  after(async () => {
    await plane?.stop();
  });

  const invite = async (email: string, role = "viewer"): Promise<string> => {
    const res = await owner.as(`/v1/orgs/${orgId}/invitations`, { method: "POST", json: { email, role } });
    assert.equal(res.status, 201, await res.clone().text());
    return lastMailToken(plane, email);
  };

  const signUpWith = (email: string, invitation: string) =>
    anonymous(plane)("/v1/auth/signup", {
      method: "POST",
      json: { email, password: STRONG_PASSWORD, name: "Ivy", invitation },
    });

  test("the signed-out link says what it is; a used or made-up one answers 404", async () => {
    const email = uniqueEmail("preview");
    const token = await invite(email, "member");
    const res = await anonymous(plane)("/v1/auth/invitation", { method: "POST", json: { token } });
    assert.equal(res.status, 200);
    const preview = await json<Record<string, string>>(res);
    assert.equal(preview.orgId, orgId);
    assert.equal(preview.orgName, "Acme QA");
    assert.equal(preview.role, "member");
    assert.equal(preview.email, email);
    assert.equal(preview.invitedBy, owner.user.email);

    const unknown = await anonymous(plane)("/v1/auth/invitation", {
      method: "POST",
      json: { token: "not-a-real-invitation" },
    });
    assert.equal(unknown.status, 404);
    assert.equal((await json<ErrorBody>(unknown)).error.code, "not_found");
  });

  test("verifying a sign-up from the link joins the inviting organization, and only it", async () => {
    const email = uniqueEmail("invitee");
    const token = await invite(email, "viewer");
    assert.equal((await signUpWith(email, token)).status, 202);
    const verified = await anonymous(plane)("/v1/auth/verify", {
      method: "POST",
      json: { token: lastMailToken(plane, email) },
    });
    assert.equal(verified.status, 201, await verified.clone().text());
    const body = await json<{ org: { id: string; role: string }; joined: boolean }>(verified);
    assert.equal(body.joined, true);
    assert.equal(body.org.id, orgId);
    assert.equal(body.org.role, "viewer");

    const cookie = sessionCookie(verified);
    assert.ok(cookie);
    const me = await json<{ orgs: Array<{ id: string; role: string }> }>(
      await callerFor(plane, { cookie })("/v1/me"),
    );
    assert.deepEqual(
      me.orgs.map((o) => [o.id, o.role]),
      [[orgId, "viewer"]],
      "no personal organization was created",
    );
    const members = await json<{ items: Array<{ email: string; role: string }> }>(
      await owner.as(`/v1/orgs/${orgId}/members`),
    );
    assert.ok(members.items.some((m) => m.email === email && m.role === "viewer"));
    // The invitation is used up: the link no longer previews.
    const again = await anonymous(plane)("/v1/auth/invitation", { method: "POST", json: { token } });
    assert.equal(again.status, 404);
  });

  test("an invitation for another address, or an unknown one, is refused at sign-up with the field named", async () => {
    const token = await invite(uniqueEmail("someone"));
    const foreign = await signUpWith(uniqueEmail("other"), token);
    assert.equal(foreign.status, 400);
    const foreignBody = await json<ErrorBody>(foreign);
    assert.equal(foreignBody.error.code, "invalid_argument");
    assert.equal(foreignBody.error.issues[0]?.path, "email");
    assert.match(foreignBody.error.message, /another address/);

    const unknown = await signUpWith(uniqueEmail("nobody"), "made-up-token");
    assert.equal(unknown.status, 400);
    assert.equal((await json<ErrorBody>(unknown)).error.issues[0]?.path, "invitation");
  });

  test("an invitation revoked before verification leaves the account with its own organization", async () => {
    const email = uniqueEmail("late");
    const token = await invite(email);
    assert.equal((await signUpWith(email, token)).status, 202);
    const pending = await json<{ items: Array<{ id: string; email: string }> }>(
      await owner.as(`/v1/orgs/${orgId}/invitations`),
    );
    const id = pending.items.find((i) => i.email === email)?.id;
    assert.ok(id);
    assert.equal((await owner.as(`/v1/orgs/${orgId}/invitations/${id}`, { method: "DELETE" })).status, 204);
    const verified = await anonymous(plane)("/v1/auth/verify", {
      method: "POST",
      json: { token: lastMailToken(plane, email) },
    });
    assert.equal(verified.status, 201);
    const body = await json<{ org: { id: string; role: string }; joined: boolean }>(verified);
    assert.equal(body.joined, false);
    assert.notEqual(body.org.id, orgId);
    assert.equal(body.org.role, "owner");
  });
});
