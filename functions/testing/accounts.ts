/**
 * Test helpers for the accounts API: sign up through the real flow (outbox link included),
 * and call the API as a browser would (session cookie plus the CSRF header) or with a token.
 */
import assert from "node:assert/strict";
import type { TestControlPlane } from "./harness.ts";

export const STRONG_PASSWORD = "correct horse 42 battery";

/** A caller: `fetch` relative to the API with fixed credentials. */
export type Caller = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;

export function callerFor(
  plane: TestControlPlane,
  auth: { cookie?: string; token?: string; csrf?: boolean },
): Caller {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (auth.cookie) headers.set("cookie", `assay_session=${auth.cookie}`);
    if (auth.token) headers.set("authorization", `Bearer ${auth.token}`);
    if (auth.csrf !== false) headers.set("x-assay-csrf", "1");
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers.set("content-type", "application/json");
    }
    return fetch(`${plane.apiUrl}${path}`, { ...init, headers, body });
  };
}

/** The public caller (no credentials, CSRF header set). */
export const anonymous = (plane: TestControlPlane): Caller => callerFor(plane, {});

/** The session id from a response's Set-Cookie. */
export function sessionCookie(res: Response): string | undefined {
  const header = res.headers.getSetCookie().find((c) => c.startsWith("assay_session="));
  return header?.split(";")[0]?.slice("assay_session=".length) || undefined;
}

/** The token of the latest emailed link (`#token=...`) to an address. */
export function lastMailToken(plane: TestControlPlane, to: string): string {
  const mail = plane.outbox.messages(to).at(-1);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")?.[1];
  assert.ok(token, `no link mailed to ${to}: ${mail?.text}`);
  return token;
}

let counter = 0;
/** A unique address for this run. */
export const uniqueEmail = (name: string) => `${name}.${process.pid}.${++counter}@example.com`;

/** Signs up and verifies an account; returns its session, user and personal org. */
export async function signUp(plane: TestControlPlane, email: string, password = STRONG_PASSWORD, name = "") {
  const api = anonymous(plane);
  const res = await api("/v1/auth/signup", { method: "POST", json: { email, password, name } });
  assert.equal(res.status, 202, await res.clone().text());
  const verified = await api("/v1/auth/verify", {
    method: "POST",
    json: { token: lastMailToken(plane, email) },
  });
  assert.equal(verified.status, 201, await verified.clone().text());
  const body = (await verified.json()) as { user: { id: string; email: string }; org: { id: string } };
  const cookie = sessionCookie(verified);
  assert.ok(cookie);
  return { cookie, user: body.user, org: body.org, as: callerFor(plane, { cookie }) };
}

/** Reads a JSON body with a type (tests only). */
export const json = async <T = Record<string, unknown>>(res: Response): Promise<T> => (await res.json()) as T;
