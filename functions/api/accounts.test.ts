/**
 * Accounts over HTTP on a real local control plane: signup with email verification, login,
 * sessions and their cookie, CSRF, password reset, rate limits without enumeration, and no
 * secret in the server log.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
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

/** POSTs JSON from a chosen loopback source address (Linux routes all of 127/8 locally). */
const postFrom = (localAddress: string, port: number, path: string, body: unknown) =>
  new Promise<number>((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        localAddress,
        headers: {
          "content-type": "application/json",
          "x-assay-csrf": "1",
          "content-length": Buffer.byteLength(data),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(data);
  });

interface ErrorJson {
  error: { code: string; message: string };
}

describe("accounts API", () => {
  let plane: TestControlPlane;
  const secrets: string[] = [];
  before(async () => {
    plane = await startTestControlPlane({
      tenancy: { rateLimits: { "reset:email": { limit: 3, windowSeconds: 3600 } } },
    });
  });
  after(async () => {
    await plane?.stop();
  });

  test("signup sends a link; verifying creates the account, its organization and a session", async () => {
    const email = uniqueEmail("alice");
    const alice = await signUp(plane, email, STRONG_PASSWORD, "Alice");
    secrets.push(alice.cookie, STRONG_PASSWORD);
    const me = await json<{
      kind: string;
      user: { email: string };
      orgs: Array<{ id: string; role: string }>;
    }>(await alice.as("/v1/me"));
    assert.equal(me.kind, "user");
    assert.equal(me.user.email, email);
    assert.deepEqual(
      me.orgs.map((o) => [o.id, o.role]),
      [[alice.org.id, "owner"]],
    );
    assert.match(alice.org.id, /^alice-[0-9-a-z]+-[0-9a-f]{6}$/);
  });

  test("a verification link works once; a second signup of a taken email answers the same", async () => {
    const email = uniqueEmail("bob");
    const api = anonymous(plane);
    const first = await api("/v1/auth/signup", {
      method: "POST",
      json: { email, password: STRONG_PASSWORD },
    });
    const token = lastMailToken(plane, email);
    assert.equal((await api("/v1/auth/verify", { method: "POST", json: { token } })).status, 201);
    const again = await api("/v1/auth/verify", { method: "POST", json: { token } });
    assert.equal(again.status, 400);
    const second = await api("/v1/auth/signup", {
      method: "POST",
      json: { email, password: STRONG_PASSWORD },
    });
    assert.equal(second.status, first.status);
    assert.deepEqual(await second.json(), await first.json());
    assert.match(plane.outbox.messages(email).at(-1)?.text ?? "", /already has an account/);
  });

  test("weak passwords get clear 400 messages", async () => {
    const api = anonymous(plane);
    const email = uniqueEmail("weak");
    const cases: Array<[string, RegExp]> = [
      ["Short1!", /at least 10/],
      ["alllowercaseletters", /two kinds/],
      [`${email.split("@")[0]}X9!`, /email/],
    ];
    for (const [password, message] of cases) {
      const res = await api("/v1/auth/signup", { method: "POST", json: { email, password } });
      assert.equal(res.status, 400);
      const body = await json<ErrorJson>(res);
      assert.equal(body.error.code, "invalid_argument");
      assert.match(body.error.message, message);
    }
  });

  test("login: known and unknown emails fail alike; success sets a safe cookie", async () => {
    const email = uniqueEmail("carol");
    await signUp(plane, email);
    const api = anonymous(plane);
    const wrong = await api("/v1/auth/login", {
      method: "POST",
      json: { email, password: "Wrong password 1" },
    });
    const unknown = await api("/v1/auth/login", {
      method: "POST",
      json: { email: uniqueEmail("nobody"), password: "Wrong password 1" },
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(
      (await json<ErrorJson>(wrong)).error.message,
      (await json<ErrorJson>(unknown)).error.message,
    );

    const ok = await api("/v1/auth/login", {
      method: "POST",
      json: { email: email.toUpperCase(), password: STRONG_PASSWORD },
    });
    assert.equal(ok.status, 200);
    const setCookie = ok.headers.getSetCookie().join("\n");
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, "plain HTTP on 127.0.0.1 is local mode");
    const cookie = sessionCookie(ok);
    assert.ok(cookie);
    secrets.push(cookie);
    assert.equal((await callerFor(plane, { cookie })("/v1/me")).status, 200);
  });

  test("CSRF: cookie requests that change state need x-assay-csrf; bearer requests do not", async () => {
    const dave = await signUp(plane, uniqueEmail("dave"));
    const noHeader = callerFor(plane, { cookie: dave.cookie, csrf: false });
    assert.equal((await noHeader("/v1/me")).status, 200, "reads need no header");
    const forged = await noHeader("/v1/orgs", { method: "POST", json: { name: "Forged" } });
    assert.equal(forged.status, 403);
    assert.match((await json<ErrorJson>(forged)).error.message, /x-assay-csrf/);
    assert.equal((await dave.as("/v1/orgs", { method: "POST", json: { name: "Real" } })).status, 201);
    const login = await callerFor(plane, { csrf: false })("/v1/auth/login", {
      method: "POST",
      json: { email: dave.user.email, password: STRONG_PASSWORD },
    });
    assert.equal(login.status, 403, "login CSRF is refused too");
    const created = await json<{ secret: string }>(
      await dave.as(`/v1/orgs/${dave.org.id}/api-tokens`, {
        method: "POST",
        json: { name: "ci", role: "admin" },
      }),
    );
    secrets.push(created.secret);
    const bearer = callerFor(plane, { token: created.secret, csrf: false });
    assert.equal(
      (await bearer(`/v1/orgs/${dave.org.id}/envs`, { method: "POST", json: { id: "ci" } })).status,
      201,
    );
  });

  test("logout ends the session", async () => {
    const erin = await signUp(plane, uniqueEmail("erin"));
    const out = await erin.as("/v1/auth/logout", { method: "POST" });
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie().join(""), /assay_session=;/);
    assert.equal((await erin.as("/v1/me")).status, 401);
  });

  test("password reset: one-time link, strength checked first, every session signed out", async () => {
    const email = uniqueEmail("frank");
    const frank = await signUp(plane, email);
    const api = anonymous(plane);
    assert.equal((await api("/v1/auth/password-reset", { method: "POST", json: { email } })).status, 202);
    const token = lastMailToken(plane, email);
    secrets.push(token);
    const weak = await api("/v1/auth/password-reset/confirm", {
      method: "POST",
      json: { token, password: "short" },
    });
    assert.equal(weak.status, 400);
    const newPassword = "another Strong pass 7";
    secrets.push(newPassword);
    const done = await api("/v1/auth/password-reset/confirm", {
      method: "POST",
      json: { token, password: newPassword },
    });
    assert.equal(done.status, 204);
    assert.equal((await frank.as("/v1/me")).status, 401, "old sessions are gone");
    const reuse = await api("/v1/auth/password-reset/confirm", {
      method: "POST",
      json: { token, password: newPassword },
    });
    assert.equal(reuse.status, 400);
    const old = await api("/v1/auth/login", { method: "POST", json: { email, password: STRONG_PASSWORD } });
    assert.equal(old.status, 401);
    const fresh = await api("/v1/auth/login", { method: "POST", json: { email, password: newPassword } });
    assert.equal(fresh.status, 200);
  });

  test("password reset: a newer link retires older ones, and using one retires them all", async () => {
    const email = uniqueEmail("heidi");
    const heidi = await signUp(plane, email);
    const api = anonymous(plane);
    const request = async () => {
      assert.equal((await api("/v1/auth/password-reset", { method: "POST", json: { email } })).status, 202);
      const token = lastMailToken(plane, email);
      secrets.push(token);
      return token;
    };
    const confirm = (token: string, password: string) =>
      api("/v1/auth/password-reset/confirm", { method: "POST", json: { token, password } });
    const a = await request();
    const b = await request();
    assert.equal((await confirm(a, "older Link pass 1")).status, 400, "issuing B retired A");
    assert.equal((await heidi.as("/v1/me")).status, 200, "a refused link ends no session");
    assert.equal((await confirm(b, "newest Link pass 2")).status, 204);
    assert.equal((await heidi.as("/v1/me")).status, 401, "using B ended every session");
    assert.equal((await confirm(a, "older Link pass 3")).status, 400, "A stays dead after B is used");
    const login = (password: string) => api("/v1/auth/login", { method: "POST", json: { email, password } });
    assert.equal((await login("older Link pass 3")).status, 401);
    assert.equal((await login("newest Link pass 2")).status, 200);
  });

  test("two pending signups for one email: only the latest link can be verified", async () => {
    const email = uniqueEmail("ivan");
    const api = anonymous(plane);
    const signup = async (password: string) => {
      assert.equal((await api("/v1/auth/signup", { method: "POST", json: { email, password } })).status, 202);
      return lastMailToken(plane, email);
    };
    const attackers = await signup("attacker Chosen 1");
    const owners = await signup("owner Chosen pass 2");
    secrets.push(attackers, owners);
    const verify = (token: string) => api("/v1/auth/verify", { method: "POST", json: { token } });
    assert.equal((await verify(attackers)).status, 400, "the older pending signup is retired");
    assert.equal((await verify(owners)).status, 201);
    const login = (password: string) => api("/v1/auth/login", { method: "POST", json: { email, password } });
    assert.equal((await login("attacker Chosen 1")).status, 401);
    assert.equal((await login("owner Chosen pass 2")).status, 200);
  });

  test("bad logins from another source do not lock the owner out", async () => {
    const email = uniqueEmail("judy");
    await signUp(plane, email);
    const { port } = new URL(plane.apiUrl);
    const loginFrom = (localAddress: string, password: string) =>
      postFrom(localAddress, Number(port), "/v1/auth/login", { email, password });
    const attacker: number[] = [];
    for (let i = 0; i < 11; i++) attacker.push(await loginFrom("127.0.0.2", `Wrong guess nr ${i}`));
    assert.deepEqual(attacker.slice(-2), [401, 429], "the guessing source is limited");
    assert.equal(await loginFrom("127.0.0.1", STRONG_PASSWORD), 200, "the owner still signs in");
  });

  test("rate limits answer 429 with Retry-After, for known and unknown emails alike", async () => {
    const known = uniqueEmail("grace");
    await signUp(plane, known);
    const api = anonymous(plane);
    for (const email of [known, uniqueEmail("ghost")]) {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const res = await api("/v1/auth/password-reset", { method: "POST", json: { email } });
        statuses.push(res.status);
        retryAfter ??= res.headers.get("retry-after");
      }
      assert.deepEqual(statuses, [202, 202, 202, 429]);
      assert.ok(Number(retryAfter) > 0);
    }
  });

  test("the server log holds no password, token, session id or emailed secret", async () => {
    for (const mail of plane.outbox.messages()) {
      const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      if (token) secrets.push(token);
    }
    const log = plane.logger.lines.join("\n");
    assert.ok(secrets.length > 5);
    for (const secret of secrets)
      assert.ok(!log.includes(secret), `log contains a secret (${secret.slice(0, 6)}...)`);
    assert.ok(!log.includes(plane.apiToken));
  });
});
