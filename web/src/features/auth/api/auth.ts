/** Calls of the signed-out flows (`/v1/auth/*`) and invitation acceptance. */
import type {
  InvitationPreview,
  Membership,
  OrgView,
  SsoLinkedResponse,
  SsoLinkView,
  SsoProviderView,
  UserView,
} from "@assay/shared";
import { call } from "../../../api/client.ts";

export const signUp = (body: { email: string; password: string; name?: string; invitation?: string }) =>
  call<{ message: string }>("/v1/auth/signup", { json: body, handle401: false });

export const verifyEmail = (token: string) =>
  call<{ user: UserView; org: OrgView; joined: boolean; expiresAt: string }>("/v1/auth/verify", {
    json: { token },
    handle401: false,
  });

export const logIn = (body: { email: string; password: string }) =>
  call<{ user: UserView; expiresAt: string }>("/v1/auth/login", { json: body, handle401: false });

export const requestPasswordReset = (email: string) =>
  call<{ message: string }>("/v1/auth/password-reset", { json: { email }, handle401: false });

export const resetPassword = (token: string, password: string) =>
  call<void>("/v1/auth/password-reset/confirm", { json: { token, password }, handle401: false });

/** What an invitation link is, readable signed out (the token is the proof of receipt). */
export const previewInvitation = (token: string) =>
  call<InvitationPreview>("/v1/auth/invitation", { json: { token }, handle401: false });

export const acceptInvitation = (token: string) =>
  call<{ org: OrgView; membership: Membership }>(`/v1/invitations/${encodeURIComponent(token)}/accept`, {
    method: "POST",
  });

/** Platform-wide SSO providers the operator offers ("Sign in with Google"). */
export const ssoProviders = () =>
  call<{ items: SsoProviderView[] }>("/v1/auth/sso/providers", { handle401: false });

/** Where the browser goes to start single sign-on (a full navigation, not a fetch). */
export const ssoStartUrl = (by: { email: string } | { org: string } | { provider: string }) =>
  `/v1/auth/sso/start?${new URLSearchParams(by as Record<string, string>).toString()}`;

export const ssoLinkInfo = (token: string) =>
  call<SsoLinkView>("/v1/auth/sso/link/info", { json: { token }, handle401: false });

export const ssoLink = (token: string, password: string) =>
  call<SsoLinkedResponse>("/v1/auth/sso/link", { json: { token, password }, handle401: false });
