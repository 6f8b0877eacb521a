/** Calls of the signed-out flows (`/v1/auth/*`) and invitation acceptance. */
import type { InvitationPreview, Membership, OrgView, UserView } from "@assay/shared";
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
