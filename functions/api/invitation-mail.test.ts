/**
 * Invitation emails on a real local control plane: display names with control characters are
 * refused at the API, names that reach mail anyway (stored before the rule) are made inert,
 * link-like names are defanged, and invitations are rate-limited per inviter and organization.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { anonymous, json, lastMailToken, signUp, uniqueEmail } from "../testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

type Session = Awaited<ReturnType<typeof signUp>>;

describe("invitation emails", () => {
  let plane: TestControlPlane;
  let alice: Session;
  before(async () => {
    plane = await startTestControlPlane({
      tenancy: {
        rateLimits: {
          "invite:inviter": { limit: 3, windowSeconds: 3600 },
          "invite:org": { limit: 5, windowSeconds: 86_400 },
        },
      },
    });
    alice = await signUp(plane, uniqueEmail("alice"));
  });
  after(async () => {
    await plane?.stop();
  });

  const invite = (who: Session, org: string, email: string, role = "member") =>
    who.as(`/v1/orgs/${org}/invitations`, { method: "POST", json: { email, role } });

  test("names with line breaks, tabs or bidirectional overrides are refused with the field named", async () => {
    const refusals = [
      await alice.as("/v1/orgs", { method: "POST", json: { name: "Acme\nSubject: free money" } }),
      await alice.as(`/v1/orgs/${alice.org.id}`, { method: "PATCH", json: { name: "Acme\u202Egnp.exe" } }),
      await alice.as(`/v1/orgs/${alice.org.id}/envs`, {
        method: "POST",
        json: { id: "tabbed", name: "a\tb" },
      }),
      await anonymous(plane)("/v1/auth/signup", {
        method: "POST",
        json: { email: uniqueEmail("eve"), password: "correct horse 42 battery", name: "Eve\r\nBcc: x" },
      }),
    ];
    for (const res of refusals) {
      assert.equal(res.status, 400);
      const body = await json<{ error: { code: string; issues: Array<{ path: string; message: string }> } }>(
        res,
      );
      assert.equal(body.error.code, "invalid_argument");
      assert.equal(body.error.issues[0]?.path, "body.name");
      assert.match(body.error.issues[0]?.message ?? "", /control characters/);
    }
    const fine = await alice.as("/v1/orgs", { method: "POST", json: { name: "Ünïcödé & Co. «Test»" } });
    assert.equal(fine.status, 201);
  });

  test("organization names land in the mail quoted, without line breaks or clickable links", async () => {
    const created = await alice.as("/v1/orgs", {
      method: "POST",
      json: { id: "linky", name: 'Acme "Corp" visit https://evil.example/claim' },
    });
    assert.equal(created.status, 201);
    // A name stored before names were validated still cannot forge lines in the mail.
    await plane.core.ports.orgs.update(
      "linky",
      { name: 'Acme "Corp"\nvisit https://evil.example/claim' },
      {
        environments: 100,
      },
    );
    const bob = uniqueEmail("bob");
    assert.equal((await invite(alice, "linky", bob)).status, 201);
    const mail = plane.outbox.messages(bob).at(-1);
    assert.ok(mail);
    assert.doesNotMatch(mail.subject, /[\r\n]/);
    for (const text of [mail.subject, mail.text]) {
      assert.doesNotMatch(text, /https:\/\/evil|evil\.example/, "no autolinkable URL or domain");
    }
    assert.match(
      mail.text,
      /the organization "Acme \\"Corp\\"\\u000avisit https\[:\]\/\/evil\[\.\]example\/claim"/,
    );
    assert.match(mail.text, /#token=[A-Za-z0-9_-]+/, "the real link is intact");
  });

  test("invitations are limited per inviter, and per organization across inviters", async () => {
    const org = (
      await json<{ id: string }>(await alice.as("/v1/orgs", { method: "POST", json: { name: "Busy" } }))
    ).id;
    const bobEmail = uniqueEmail("bob");
    const statuses = [(await invite(alice, org, bobEmail, "admin")).status];
    const token = lastMailToken(plane, bobEmail);
    statuses.push((await invite(alice, org, uniqueEmail("c"))).status);
    // Alice's limit is 3 and the org test above spent one of them.
    const refused = await invite(alice, org, uniqueEmail("c"));
    statuses.push(refused.status);
    assert.deepEqual(statuses, [201, 201, 429]);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.equal((await json<{ error: { code: string } }>(refused)).error.code, "resource_exhausted");

    const bob = await signUp(plane, bobEmail);
    assert.equal((await bob.as(`/v1/invitations/${token}/accept`, { method: "POST" })).status, 200);
    // The org has 2 of 5 spent (plus "linky"'s one elsewhere): bob may send 3, not a 4th.
    const bobs: number[] = [];
    for (let i = 0; i < 4; i++) bobs.push((await invite(bob, org, uniqueEmail("d"))).status);
    assert.deepEqual(bobs, [201, 201, 201, 429]);
  });
});
