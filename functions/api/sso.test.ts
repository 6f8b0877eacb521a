/**
 * Single sign-on through a real OpenID Connect provider on loopback (oidc-provider), against the
 * real local control plane: just-in-time membership, groups to roles, every refusal (tampered
 * state, replay, another browser, wrong issuer, wrong audience, expired ID token, unverified
 * email, domain not allowed) with its status and nothing stored, account linking only after the
 * password, and "SSO required" refusing members' passwords while owners keep theirs.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { callerFor, json, STRONG_PASSWORD, sessionCookie, signUp } from "../testing/accounts.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { type LoopbackOidcProvider, startOidcProvider } from "../testing/oidc-provider.ts";

const cookieOf = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);

describe("SSO with OpenID Connect", () => {
  let plane: TestControlPlane;
  let idp: LoopbackOidcProvider;
  let owner: ReturnType<typeof callerFor>;
  const org = () => plane.orgId;

  before(async () => {
    plane = await startTestControlPlane({
      tenancy: { rateLimits: { "sso:ip": { limit: 10_000, windowSeconds: 60 } } },
    });
    idp = await startOidcProvider({
      redirectUris: [`${plane.apiUrl}/v1/auth/sso/callback`],
      accounts: {
        ada: { email: "ada@example.com", email_verified: true, name: "Ada", groups: ["engineering"] },
        grace: { email: "grace@example.com", email_verified: true, groups: ["platform-admins"] },
        eve: { email: "eve@example.com", email_verified: false },
        mallory: { email: "mallory@elsewhere.org", email_verified: true },
      },
    });
    owner = callerFor(plane, { token: plane.apiToken });
    const res = await owner(`/v1/orgs/${org()}/sso`, {
      method: "PUT",
      json: {
        enabled: true,
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        domains: ["example.com"],
        defaultRole: "viewer",
        extraScopes: ["groups"],
        groupRoles: [{ group: "platform-admins", role: "admin" }],
      },
    });
    assert.equal(res.status, 200, await res.clone().text());
  });
  after(async () => {
    await idp?.stop();
    await plane?.stop();
  });

  /** Starts at the API, signs in at the provider; returns the answer and the browser cookie. */
  async function toCallback(login: string, start = `org=${org()}`) {
    const res = await fetch(`${plane.apiUrl}/v1/auth/sso/start?${start}`, { redirect: "manual" });
    assert.equal(res.status, 302, await res.text());
    const browser = cookieOf(res, "assay_sso");
    assert.ok(browser, "the start sets the browser cookie");
    const answer = await idp.signIn(res.headers.get("location") ?? "", login);
    assert.equal(`${answer.origin}${answer.pathname}`, `${plane.apiUrl}/v1/auth/sso/callback`);
    return { answer, browser };
  }
  const callback = (url: URL | string, browser?: string, html = false) =>
    fetch(url, {
      redirect: "manual",
      headers: {
        ...(browser ? { cookie: `assay_sso=${browser}` } : {}),
        accept: html ? "text/html" : "application/json",
      },
    });
  const stored = (email: string) => plane.core.ports.tenancy.users.getByEmail(email);

  test("settings: the secret is write-only, the redirect URI is shown, domains are claimed", async () => {
    const view = await json(await owner(`/v1/orgs/${org()}/sso`));
    assert.equal(view.configured, true);
    assert.equal(view.hasClientSecret, true);
    assert.equal(view.clientSecret, undefined);
    assert.ok(!JSON.stringify(view).includes(idp.clientSecret));
    assert.equal(view.redirectUri, `${plane.apiUrl}/v1/auth/sso/callback`);
    const item = await plane.core.ports.tenancy.sso.getConfig(org());
    assert.ok(item?.sealedSecret.startsWith("v1."), "sealed like a credential");
    assert.ok(!item?.sealedSecret.includes(idp.clientSecret));
    const audit = await json<{ items: Array<{ action: string }> }>(await owner(`/v1/orgs/${org()}/audit`));
    assert.ok(audit.items.some((e) => e.action === "sso.configured"));
    // Other orgs cannot claim the domain.
    const other = await signUp(plane, "other-owner@another.test");
    const created = await json<{ id: string }>(
      await callerFor(plane, { cookie: other.cookie })("/v1/orgs", {
        method: "POST",
        json: { name: "Other" },
      }),
    );
    const clash = await callerFor(plane, { cookie: other.cookie })(`/v1/orgs/${created.id}/sso`, {
      method: "PUT",
      json: { enabled: true, issuer: idp.issuer, clientId: "x", clientSecret: "y", domains: ["example.com"] },
    });
    assert.equal(clash.status, 409);
    assert.match(
      ((await json(clash)).error as { message: string }).message,
      /example\.com is already claimed/,
    );
    // An issuer that is not the one the provider names is refused when a sign-in starts.
    const misnamed = idp.issuer.replace("127.0.0.1", "localhost");
    const put = await callerFor(plane, { cookie: other.cookie })(`/v1/orgs/${created.id}/sso`, {
      method: "PUT",
      json: { enabled: true, issuer: misnamed, clientId: "x", clientSecret: "y", domains: ["another.test"] },
    });
    assert.equal(put.status, 200, await put.clone().text());
    const start = await fetch(`${plane.apiUrl}/v1/auth/sso/start?org=${created.id}`, { redirect: "manual" });
    assert.equal(start.status, 409);
    assert.match(((await json(start)).error as { message: string }).message, /issuer does not match/);
  });

  test("first sign-in creates the account and the membership with the default role", async () => {
    const { answer, browser } = await toCallback("ada", "email=ada@example.com");
    const res = await callback(answer, browser);
    assert.equal(res.status, 302, await res.clone().text());
    assert.equal(res.headers.get("location"), `${plane.apiUrl}/orgs/${org()}`);
    const session = sessionCookie(res);
    assert.ok(session);
    const me = await json<{ user: { email: string }; orgs: Array<{ id: string; role: string }> }>(
      await callerFor(plane, { cookie: session })("/v1/me"),
    );
    assert.equal(me.user.email, "ada@example.com");
    assert.equal(me.orgs.find((o) => o.id === org())?.role, "viewer");
    const audit = await json<{ items: Array<{ action: string; details: Record<string, string> }> }>(
      await owner(`/v1/orgs/${org()}/audit`),
    );
    assert.ok(audit.items.some((e) => e.action === "member.joined_by_sso" && e.details.role === "viewer"));
    assert.ok(audit.items.some((e) => e.action === "sso.login" && e.details.issuer === idp.issuer));
  });

  test("a mapped group gives its role", async () => {
    const { answer, browser } = await toCallback("grace");
    const session = sessionCookie(await callback(answer, browser));
    const me = await json<{ orgs: Array<{ id: string; role: string }> }>(
      await callerFor(plane, { cookie: session })("/v1/me"),
    );
    assert.equal(me.orgs.find((o) => o.id === org())?.role, "admin");
  });

  test("a replayed answer is refused: the state was used", async () => {
    idp.accounts.set("replay", { email: "replay@example.com", email_verified: true });
    const { answer, browser } = await toCallback("replay");
    assert.equal((await callback(answer, browser)).status, 302);
    const again = await callback(answer, browser, true);
    assert.equal(again.status, 400);
    assert.equal(sessionCookie(again), undefined);
    const page = await again.text();
    assert.match(page, /Sign-in refused/);
    assert.match(page, /unknown, expired or already used/);
  });

  test("a tampered state is refused and nothing is stored", async () => {
    idp.accounts.set("tamper", { email: "tamper@example.com", email_verified: true });
    const { answer, browser } = await toCallback("tamper");
    answer.searchParams.set("state", `${answer.searchParams.get("state")}x`);
    const res = await callback(answer, browser);
    assert.equal(res.status, 400);
    assert.equal(((await json(res)).error as { code: string }).code, "invalid_argument");
    assert.equal(await stored("tamper@example.com"), undefined);
  });

  test("an answer brought to another browser is refused", async () => {
    idp.accounts.set("csrf", { email: "csrf@example.com", email_verified: true });
    const { answer } = await toCallback("csrf");
    const res = await callback(answer, "some-other-browser-value-that-is-long");
    assert.equal(res.status, 403);
    assert.equal(await stored("csrf@example.com"), undefined);
  });

  for (const [mode, pattern] of [
    ["wrong-audience", /"aud" \(audience\)/],
    ["wrong-issuer", /"iss" \(issuer\)/],
    ["expired", /"exp" \(expiration\)|timestamp/],
  ] as const) {
    test(`an ID token that is ${mode.replace("-", " ")} is refused and nothing is stored`, async () => {
      const email = `${mode}@example.com`;
      idp.accounts.set(mode, { email, email_verified: true });
      const { answer, browser } = await toCallback(mode);
      idp.misbehave(mode);
      try {
        const res = await callback(answer, browser);
        const body = await json<{ error: { code: string; message: string } }>(res);
        assert.equal(res.status, 401, JSON.stringify(body));
        assert.equal(body.error.code, "unauthenticated");
        assert.match(body.error.message, pattern);
        assert.equal(sessionCookie(res), undefined);
      } finally {
        idp.misbehave(undefined);
      }
      assert.equal(await stored(email), undefined);
    });
  }

  test("an unverified email is refused and nothing is stored", async () => {
    const { answer, browser } = await toCallback("eve");
    const res = await callback(answer, browser);
    assert.equal(res.status, 403);
    assert.match(((await json(res)).error as { message: string }).message, /not verified/);
    assert.equal(await stored("eve@example.com"), undefined);
  });

  test("an address outside the allowed domains is refused and nothing is stored", async () => {
    const { answer, browser } = await toCallback("mallory");
    const res = await callback(answer, browser);
    assert.equal(res.status, 403);
    assert.match(((await json(res)).error as { message: string }).message, /elsewhere\.org may not sign in/);
    assert.equal(await stored("mallory@elsewhere.org"), undefined);
  });

  test("an unknown org, domain or provider is a 404 page", async () => {
    for (const q of ["org=no-such-org", "email=x@unclaimed.test", "provider=nope"]) {
      const res = await fetch(`${plane.apiUrl}/v1/auth/sso/start?${q}`, { redirect: "manual" });
      assert.equal(res.status, 404, q);
    }
    const bad = await fetch(`${plane.apiUrl}/v1/auth/sso/start?org=a&email=b@c.de`, { redirect: "manual" });
    assert.equal(bad.status, 400);
  });

  test("a platform-wide provider signs a new person up with their own organization", async () => {
    Object.assign(plane.core.tenancy.settings, {
      ssoProviders: [
        {
          id: "loop",
          name: "Loopback",
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
        },
      ],
    });
    const listed = await json<{ items: Array<{ id: string; name: string }> }>(
      await fetch(`${plane.apiUrl}/v1/auth/sso/providers`),
    );
    assert.deepEqual(listed.items, [{ id: "loop", name: "Loopback" }]);
    // Any verified domain may use a platform provider; it joins no organization by itself.
    const { answer, browser } = await toCallback("mallory", "provider=loop");
    const res = await callback(answer, browser);
    assert.equal(res.status, 302, await res.clone().text());
    assert.equal(res.headers.get("location"), `${plane.apiUrl}/`);
    const me = await json<{ orgs: Array<{ id: string; role: string }> }>(
      await callerFor(plane, { cookie: sessionCookie(res) })("/v1/me"),
    );
    assert.equal(me.orgs.length, 1);
    assert.equal(me.orgs[0]?.role, "owner");
    assert.notEqual(me.orgs[0]?.id, org());
    // Unverified addresses are refused here too.
    const eve = await toCallback("eve", "provider=loop");
    assert.equal((await callback(eve.answer, eve.browser)).status, 403);
  });

  test("an existing password account links only after its password is given", async () => {
    const email = "linda@example.com";
    const account = await signUp(plane, email);
    idp.accounts.set("linda", { email, email_verified: true });
    const { answer, browser } = await toCallback("linda");
    const res = await callback(answer, browser);
    assert.equal(res.status, 302);
    assert.equal(sessionCookie(res), undefined, "no session from the email alone");
    const location = res.headers.get("location") ?? "";
    assert.match(location, /\/sso\/link#token=/);
    const token = location.split("#token=")[1] ?? "";
    const sub = "linda";
    assert.equal(await plane.core.ports.tenancy.sso.getIdentity(idp.issuer, sub), undefined);
    const anon = callerFor(plane, {});
    const info = await json(await anon("/v1/auth/sso/link/info", { method: "POST", json: { token } }));
    assert.equal(info.email, email);
    const wrong = await anon("/v1/auth/sso/link", {
      method: "POST",
      json: { token, password: "not-it-at-all" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(await plane.core.ports.tenancy.sso.getIdentity(idp.issuer, sub), undefined);
    const ok = await anon("/v1/auth/sso/link", {
      method: "POST",
      json: { token, password: STRONG_PASSWORD },
    });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal((await json(ok)).orgId, org());
    assert.equal((await plane.core.ports.tenancy.sso.getIdentity(idp.issuer, sub))?.userId, account.user.id);
    // The next sign-in goes straight in.
    const next = await toCallback("linda");
    assert.ok(sessionCookie(await callback(next.answer, next.browser)));
  });

  test("SSO required: members' passwords are refused, owners keep a break-glass path", async () => {
    // A member who signed in with a password before SSO became required.
    const email = "pat@example.com";
    const pat = await signUp(plane, email);
    await plane.core.ports.tenancy.members.add({
      orgId: org(),
      userId: pat.user.id,
      email,
      name: "",
      role: "admin",
      createdAt: new Date().toISOString(),
    });
    const ownerEmail = "boss@example.com";
    const boss = await signUp(plane, ownerEmail);
    const bossOrg = boss.org.id;
    const current = await json(await owner(`/v1/orgs/${org()}/sso`));
    const put = await owner(`/v1/orgs/${org()}/sso`, {
      method: "PUT",
      json: {
        enabled: true,
        issuer: current.issuer,
        clientId: current.clientId,
        domains: current.domains,
        defaultRole: current.defaultRole,
        extraScopes: current.extraScopes,
        groupRoles: current.groupRoles,
        required: true,
      },
    });
    assert.equal(put.status, 200, await put.clone().text());
    const anon = callerFor(plane, {});
    const login = await anon("/v1/auth/login", {
      method: "POST",
      json: { email, password: STRONG_PASSWORD },
    });
    assert.equal(login.status, 403);
    assert.match(((await json(login)).error as { message: string }).message, /single sign-on is required/);
    // The older password session no longer reaches the org, nor mints API tokens there.
    const old = callerFor(plane, { cookie: pat.cookie });
    assert.equal((await old(`/v1/orgs/${org()}`)).status, 403);
    const mint = await old(`/v1/orgs/${org()}/api-tokens`, {
      method: "POST",
      json: { name: "ci", role: "viewer" },
    });
    assert.equal(mint.status, 403);
    // An owner of an SSO-required org keeps the password (audited as break-glass).
    await plane.core.ports.tenancy.members.add({
      orgId: org(),
      userId: boss.user.id,
      email: ownerEmail,
      name: "",
      role: "viewer",
      createdAt: new Date().toISOString(),
    });
    await plane.core.ports.tenancy.members.setRole(org(), boss.user.id, "owner");
    const glass = await anon("/v1/auth/login", {
      method: "POST",
      json: { email: ownerEmail, password: STRONG_PASSWORD },
    });
    assert.equal(glass.status, 200);
    const bossCaller = callerFor(plane, { cookie: sessionCookie(glass) });
    assert.equal((await bossCaller(`/v1/orgs/${org()}`)).status, 200);
    const token = await bossCaller(`/v1/orgs/${org()}/api-tokens`, {
      method: "POST",
      json: { name: "break-glass", role: "viewer" },
    });
    assert.equal(token.status, 201);
    assert.ok(bossOrg);
    const audit = await json<{ items: Array<{ action: string }> }>(await owner(`/v1/orgs/${org()}/audit`));
    assert.ok(audit.items.some((e) => e.action === "sso.break_glass_login"));
    // An SSO session of the org still works for the member's peers.
    const { answer, browser } = await toCallback("grace");
    const sso = callerFor(plane, { cookie: sessionCookie(await callback(answer, browser)) });
    assert.equal((await sso(`/v1/orgs/${org()}`)).status, 200);
  });
});
