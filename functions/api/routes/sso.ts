/**
 * Single sign-on. The browser navigates to `start` (a redirect to the identity provider, with a
 * short-lived `assay_sso` cookie binding the sign-in to this browser) and comes back to
 * `callback`, which sets the session cookie and sends it on to the dashboard, or to the link page
 * when the address already has an account. A refused sign-in is a page (or JSON for API
 * clients) with a 4xx status naming the problem. Settings live under the organization.
 */
import {
  AppError,
  HTTP_STATUS,
  isAppError,
  OneTimeTokenBody,
  PutSsoSettingsBody,
  SsoLinkBody,
  SsoLinkedResponse,
  SsoLinkView,
  SsoProviderView,
  SsoSettingsView,
  SsoStartQuery,
} from "@assay/shared";
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { CallbackResult } from "../../core/sso/signin.ts";
import { SSO_CALLBACK_PATH } from "../../core/tenancy.ts";
import { requestMeta, setSessionCookie } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { errorBody } from "../errors.ts";
import { defineRoute } from "../route-spec.ts";
import { authErrors, ErrorResponse, itemsOf, OrgParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

const BROWSER_COOKIE = "assay_sso";
const COOKIE_PATH = "/v1/auth/sso";

const refusals = {
  400: { description: "A tampered, replayed or expired sign-in", schema: ErrorResponse },
  401: { description: "The provider's answer or ID token failed verification", schema: ErrorResponse },
  403: { description: "Unverified email, domain not allowed, or another browser", schema: ErrorResponse },
  404: { description: "No such organization, domain or provider", schema: ErrorResponse },
  429: { description: "Too many attempts", schema: ErrorResponse },
} as const;

export const ssoSpecs = {
  providers: defineRoute({
    method: "get",
    path: "/v1/auth/sso/providers",
    summary: "Platform-wide sign-in providers (for the sign-in page)",
    tag: "auth",
    auth: "none",
    responses: { 200: { description: "Providers", schema: itemsOf(SsoProviderView) } },
  }),
  start: defineRoute({
    method: "get",
    path: "/v1/auth/sso/start",
    summary: "Start single sign-on for an organization (slug or email domain) or a platform provider",
    tag: "auth",
    auth: "none",
    query: SsoStartQuery,
    responses: { 302: { description: "To the identity provider" }, ...refusals },
  }),
  callback: defineRoute({
    method: "get",
    path: SSO_CALLBACK_PATH,
    summary: "The redirect URI: verifies the provider's answer, signs in, and returns to the dashboard",
    tag: "auth",
    auth: "none",
    responses: { 302: { description: "To the dashboard (signed in) or the account link page" }, ...refusals },
  }),
  linkInfo: defineRoute({
    method: "post",
    path: "/v1/auth/sso/link/info",
    summary: "What a pending account link is about (the account's email)",
    tag: "auth",
    auth: "none",
    body: OneTimeTokenBody,
    responses: { 200: { description: "The pending link", schema: SsoLinkView }, 400: refusals[400] },
  }),
  link: defineRoute({
    method: "post",
    path: "/v1/auth/sso/link",
    summary: "Link a provider identity to the existing account after its password is given; signs in",
    tag: "auth",
    auth: "none",
    body: SsoLinkBody,
    responses: {
      200: { description: "Linked and signed in", schema: SsoLinkedResponse },
      401: { description: "Wrong password", schema: ErrorResponse },
      400: refusals[400],
      429: refusals[429],
    },
  }),
  getSettings: defineRoute({
    method: "get",
    path: "/v1/orgs/:org/sso",
    summary: "The organization's SSO settings (admin; never the client secret)",
    tag: "sso",
    auth: "any",
    params: OrgParams,
    responses: { 200: { description: "Settings", schema: SsoSettingsView }, ...authErrors },
  }),
  putSettings: defineRoute({
    method: "put",
    path: "/v1/orgs/:org/sso",
    summary: "Configure the organization's OpenID Connect provider, domains, roles and enforcement (admin)",
    tag: "sso",
    auth: "any",
    params: OrgParams,
    body: PutSsoSettingsBody,
    responses: {
      200: { description: "Saved", schema: SsoSettingsView },
      409: { description: "A domain is claimed by another organization", schema: ErrorResponse },
      ...authErrors,
    },
  }),
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A refusal as a small page for browsers, JSON for everyone else. */
function refusal(c: Context<ApiEnv>, error: unknown, webUrl: string): Response {
  if (!isAppError(error) || error.code === "internal") throw error;
  const status = HTTP_STATUS[error.code] as ContentfulStatusCode;
  if (error.retryAfterSeconds) c.header("Retry-After", String(error.retryAfterSeconds));
  deleteCookie(c, BROWSER_COOKIE, { path: COOKIE_PATH });
  if (!(c.req.header("accept") ?? "").includes("text/html"))
    return c.json(errorBody(error, c.get("requestId")), status);
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in refused · Assay</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem">
<h1>Sign-in refused</h1>
<p data-code="${error.code}">${escapeHtml(error.message)}</p>
<p><small>Code: <code>${error.code}</code> · request ${escapeHtml(c.get("requestId"))}</small></p>
<p><a href="${escapeHtml(webUrl)}/login">Back to sign-in</a></p>
</body></html>`;
  return c.html(page, status);
}

export function ssoRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { sso, ssoSettings, settings } = deps.tenancy;
  const web = () => settings.publicWebUrl.replace(/\/$/, "");

  const finish = (c: Context<ApiEnv>, result: CallbackResult) => {
    if (result.kind === "link") return c.redirect(`${web()}/sso/link#token=${result.token}`, 302);
    setSessionCookie(c, result.session.secret, result.session.expiresAt);
    return c.redirect(result.orgId ? `${web()}/orgs/${result.orgId}` : `${web()}/`, 302);
  };

  app.get(ssoSpecs.providers.path, (c) => c.json({ items: sso.providers() }));

  app.get(ssoSpecs.start.path, async (c) => {
    try {
      const query = parseInput(ssoSpecs.start.query, c.req.query(), "query");
      const { url, browserSecret } = await sso.start(query, requestMeta(c));
      setCookie(c, BROWSER_COOKIE, browserSecret, {
        httpOnly: true,
        sameSite: "Lax",
        secure: new URL(c.req.url).protocol === "https:" || !settings.publicWebUrl.startsWith("http:"),
        path: COOKIE_PATH,
        maxAge: 600,
      });
      return c.redirect(url, 302);
    } catch (error) {
      return refusal(c, error, web());
    }
  });

  app.get(ssoSpecs.callback.path, async (c) => {
    try {
      // The provider answered at the public redirect URI: rebuild it (a proxy may rewrite the host).
      const url = new URL(`${web()}${SSO_CALLBACK_PATH}${new URL(c.req.url).search}`);
      const result = await sso.callback(url, getCookie(c, BROWSER_COOKIE), requestMeta(c));
      deleteCookie(c, BROWSER_COOKIE, { path: COOKIE_PATH });
      return finish(c, result);
    } catch (error) {
      return refusal(c, error, web());
    }
  });

  app.post(ssoSpecs.linkInfo.path, async (c) => {
    const { token } = parseInput(ssoSpecs.linkInfo.body, await readJson(c.req.raw), "body");
    return c.json(await sso.linkInfo(token));
  });

  app.post(ssoSpecs.link.path, async (c) => {
    const body = parseInput(ssoSpecs.link.body, await readJson(c.req.raw), "body");
    const result = await sso.link(body, requestMeta(c));
    if (result.kind !== "session") throw new AppError("internal", "linking did not sign in");
    setSessionCookie(c, result.session.secret, result.session.expiresAt);
    return c.json({ orgId: result.orgId ?? null, expiresAt: result.session.expiresAt });
  });

  app.get(ssoSpecs.getSettings.path, async (c) => c.json(await ssoSettings.get(c.get("principal"))));

  app.put(ssoSpecs.putSettings.path, async (c) => {
    const body = parseInput(ssoSpecs.putSettings.body, await readJson(c.req.raw), "body");
    return c.json(await ssoSettings.put(c.get("principal"), body, requestMeta(c)));
  });
}
