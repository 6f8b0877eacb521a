/**
 * Authentication and CSRF for the HTTP API.
 *
 * - `Authorization: Bearer asy_api_...` (CLI, CI, scripts) or the `assay_session` cookie (the
 *   dashboard). When both are present the bearer token wins. Agent tokens are refused (401).
 * - Session cookie: HttpOnly, SameSite=Lax, Path=/, Secure unless the API is reached on
 *   localhost/127.0.0.1 (local mode over plain HTTP).
 * - CSRF: a cookie-authenticated request that changes state (any method but GET, HEAD,
 *   OPTIONS), and every POST to /v1/auth/*, must carry `x-assay-csrf: 1`. Browsers cannot add a
 *   custom header to a cross-site request without a CORS preflight, which this API never
 *   grants; so a forged form or fetch from another site fails with 403. Unlike an Origin check,
 *   this needs no knowledge of the API's public origin (API Gateway, CloudFront, localhost).
 *   Bearer requests need no header: a browser never attaches a bearer token on its own.
 */
import { AppError, Slug } from "@assay/shared";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { parseInput } from "./validate.ts";

export const SESSION_COOKIE = "assay_session";
export const CSRF_HEADER = "x-assay-csrf";

/** Routes that need no sign-in (they are rate limited in core instead). */
const PUBLIC = /^\/v1\/(auth\/[a-z/-]+|openapi\.json|dev\/outbox)$/;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const isLocalHost = (c: Context) => {
  const host = new URL(c.req.url).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
};

/** The client's address as the deployment knows it (socket, or API Gateway's source IP). */
export const clientIp = (c: Context<ApiEnv>, deps: ApiDeps): string | undefined => {
  try {
    return deps.clientIp?.(c);
  } catch {
    return undefined;
  }
};

export const requestMeta = (c: Context<ApiEnv>) => ({ ip: c.get("clientIp") });

export function setSessionCookie(c: Context, secret: string, expiresAt: string) {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: "Lax",
    secure: !isLocalHost(c),
    path: "/",
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: !isLocalHost(c), httpOnly: true, sameSite: "Lax" });
}

export const readSessionCookie = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);

const requireCsrfHeader = (c: Context) => {
  if (c.req.header(CSRF_HEADER) !== "1") {
    throw new AppError(
      "permission_denied",
      `this request needs the header ${CSRF_HEADER}: 1 (CSRF protection)`,
    );
  }
};

/** Sets `actor` on every non-public /v1 route: bearer token or session cookie, else 401. */
export function authenticate(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  const { authn } = deps.tenancy;
  return async (c, next) => {
    c.set("clientIp", clientIp(c, deps));
    if (PUBLIC.test(c.req.path)) {
      if (c.req.method === "POST" && c.req.path.startsWith("/v1/auth/")) requireCsrfHeader(c);
      return next();
    }
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const secret = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
      c.set("actor", await authn.bearer(secret, c.get("clientIp")));
      return next();
    }
    const cookie = readSessionCookie(c);
    if (cookie === undefined) {
      return authn.refuse(c.get("clientIp"), "sign in, or send an API token as Authorization: Bearer");
    }
    c.set("actor", await authn.session(cookie, c.get("clientIp")));
    if (!SAFE_METHODS.has(c.req.method)) requireCsrfHeader(c);
    return next();
  };
}

/** Resolves the caller's role in `:org` (404 when the caller has no business there). */
export function resolveOrg(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const orgId = parseInput(Slug, c.req.param("org"), "org");
    c.set("principal", await deps.tenancy.principals.resolve(c.get("actor"), orgId));
    c.set("orgId", orgId);
    await next();
  };
}
