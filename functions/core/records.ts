/**
 * Stored records of the accounts layer that never leave the control plane as they are: users
 * (with their password hash), sessions, one-time email tokens and invitations (with the hash of
 * their secret). The API shows the views in @assay/shared instead.
 */
import { InvitationView, Slug } from "@assay/shared";
import * as z from "zod";

/** The password hash of an account made by single sign-on: no password matches it. */
export const NO_PASSWORD = "none";

/** A verified account. Only verified addresses become users (see accounts.ts). */
export const UserRecord = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().default(""),
  /** `scrypt$N$r$p$salt$hash` (see passwords.ts). */
  passwordHash: z.string(),
  createdAt: z.string(),
  passwordChangedAt: z.string().optional(),
});
export type UserRecord = z.infer<typeof UserRecord>;

/** A login session, keyed by the SHA-256 of the cookie's random id. */
export const SessionRecord = z.object({
  hash: z.string(),
  userId: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** How the user signed in (unset: with the password). */
  method: z.enum(["password", "sso"]).optional(),
  /** Set when signed in through this organization's own SSO (it satisfies "SSO required"). */
  ssoOrgId: z.string().optional(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export const OneTimePurpose = z.enum(["verify-email", "reset-password"]);
export type OneTimePurpose = z.infer<typeof OneTimePurpose>;

/**
 * A single-use token sent by email. A signup is held here until its address is verified, so an
 * unverified address never becomes an account (nobody can pre-register someone else's email).
 */
export const OneTimeToken = z.object({
  hash: z.string(),
  purpose: OneTimePurpose,
  email: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** reset-password: the account. */
  userId: z.string().optional(),
  /** verify-email: the pending account's name and password hash. */
  name: z.string().optional(),
  passwordHash: z.string().optional(),
  /** verify-email: the hash of the invitation the account signed up from, joined on verification. */
  invitationHash: z.string().optional(),
});
export type OneTimeToken = z.infer<typeof OneTimeToken>;

/** An invitation with the hash of the secret mailed to the invitee. */
export const InvitationRecord = InvitationView.extend({ hash: z.string(), orgId: Slug });
export type InvitationRecord = z.infer<typeof InvitationRecord>;
