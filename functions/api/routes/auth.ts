/**
 * Signup (optionally from an invitation), email verification, login, logout, password reset,
 * and the signed-out preview of an invitation link. All answers avoid enumeration.
 */
import {
  InvitationPreview,
  LoginBody,
  OneTimeTokenBody,
  ResetConfirmBody,
  ResetRequestBody,
  SignupBody,
} from "@assay/shared";
import type { Hono } from "hono";
import { clearSessionCookie, readSessionCookie, requestMeta, setSessionCookie } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { ErrorResponse, MessageResponse, SessionResponse, SignedUpResponse } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

const errors = {
  400: { description: "Invalid input (e.g. a weak password)", schema: ErrorResponse },
  403: { description: "Missing x-assay-csrf header", schema: ErrorResponse },
  429: { description: "Too many attempts (see Retry-After)", schema: ErrorResponse },
} as const;

export const authSpecs = {
  signup: defineRoute({
    method: "post",
    path: "/v1/auth/signup",
    summary:
      "Sign up: emails a verification link (same answer whether or not the email has an account); with `invitation`, verifying joins that organization",
    tag: "auth",
    auth: "none",
    body: SignupBody,
    responses: { 202: { description: "Check your email", schema: MessageResponse }, ...errors },
  }),
  verify: defineRoute({
    method: "post",
    path: "/v1/auth/verify",
    summary:
      "Verify an email with the link's token: creates the account and a session, and joins the invited organization or creates its own",
    tag: "auth",
    auth: "none",
    body: OneTimeTokenBody,
    responses: {
      201: { description: "Account created, session cookie set", schema: SignedUpResponse },
      409: { description: "The email already has an account", schema: ErrorResponse },
      ...errors,
    },
  }),
  invitation: defineRoute({
    method: "post",
    path: "/v1/auth/invitation",
    summary: "What an invitation link is (organization, inviter, role, address), for the signed-out page",
    tag: "auth",
    auth: "none",
    body: OneTimeTokenBody,
    responses: {
      200: { description: "The invitation", schema: InvitationPreview },
      404: { description: "Invalid, expired or already used", schema: ErrorResponse },
      ...errors,
    },
  }),
  login: defineRoute({
    method: "post",
    path: "/v1/auth/login",
    summary: "Sign in with email and password: sets the session cookie",
    tag: "auth",
    auth: "none",
    body: LoginBody,
    responses: {
      200: { description: "Signed in", schema: SessionResponse },
      401: { description: "Wrong email or password", schema: ErrorResponse },
      ...errors,
    },
  }),
  logout: defineRoute({
    method: "post",
    path: "/v1/auth/logout",
    summary: "Sign out: ends the session and clears the cookie",
    tag: "auth",
    auth: "none",
    responses: { 204: { description: "Signed out" }, 403: errors[403] },
  }),
  resetRequest: defineRoute({
    method: "post",
    path: "/v1/auth/password-reset",
    summary: "Ask for a password reset link (same answer whether or not the email has an account)",
    tag: "auth",
    auth: "none",
    body: ResetRequestBody,
    responses: { 202: { description: "Check your email", schema: MessageResponse }, ...errors },
  }),
  resetConfirm: defineRoute({
    method: "post",
    path: "/v1/auth/password-reset/confirm",
    summary: "Set a new password with the reset link's token; signs out every session",
    tag: "auth",
    auth: "none",
    body: ResetConfirmBody,
    responses: { 204: { description: "Password changed" }, ...errors },
  }),
};

export function authRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { accounts, sessions } = deps.tenancy;

  app.post(authSpecs.signup.path, async (c) => {
    const body = parseInput(authSpecs.signup.body, await readJson(c.req.raw), "body");
    return c.json({ message: await accounts.signup(body, requestMeta(c)) }, 202);
  });

  app.post(authSpecs.verify.path, async (c) => {
    const { token } = parseInput(authSpecs.verify.body, await readJson(c.req.raw), "body");
    const { user, org, joined, session } = await accounts.verifyEmail(token, requestMeta(c));
    setSessionCookie(c, session.secret, session.expiresAt);
    return c.json({ user, org, joined, expiresAt: session.expiresAt }, 201);
  });

  app.post(authSpecs.invitation.path, async (c) => {
    const { token } = parseInput(authSpecs.invitation.body, await readJson(c.req.raw), "body");
    return c.json(await deps.tenancy.invitations.preview(token, requestMeta(c)));
  });

  app.post(authSpecs.login.path, async (c) => {
    const body = parseInput(authSpecs.login.body, await readJson(c.req.raw), "body");
    const { user, session } = await accounts.login(body, requestMeta(c));
    setSessionCookie(c, session.secret, session.expiresAt);
    return c.json({ user, expiresAt: session.expiresAt });
  });

  app.post(authSpecs.logout.path, async (c) => {
    const cookie = readSessionCookie(c);
    if (cookie) await sessions.destroy(cookie);
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  app.post(authSpecs.resetRequest.path, async (c) => {
    const { email } = parseInput(authSpecs.resetRequest.body, await readJson(c.req.raw), "body");
    return c.json({ message: await accounts.requestPasswordReset(email, requestMeta(c)) }, 202);
  });

  app.post(authSpecs.resetConfirm.path, async (c) => {
    const body = parseInput(authSpecs.resetConfirm.body, await readJson(c.req.raw), "body");
    await accounts.resetPassword(body, requestMeta(c));
    return c.body(null, 204);
  });
}
