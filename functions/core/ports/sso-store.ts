/**
 * Where single sign-on state is kept: organizations' SSO settings (the client secret sealed),
 * sign-ins in progress, and the links between provider identities and accounts.
 */
import { Slug, SsoGroupRole, SsoRole } from "@assay/shared";
import * as z from "zod";

/** An organization's SSO settings as stored. */
export const StoredSsoConfig = z.object({
  orgId: Slug,
  enabled: z.boolean(),
  issuer: z.string(),
  clientId: z.string(),
  /** The client secret sealed with the organization's data key (credential-crypto.ts). */
  sealedSecret: z.string(),
  domains: z.array(z.string()),
  defaultRole: SsoRole,
  extraScopes: z.array(z.string()).default([]),
  groupsClaim: z.string(),
  groupRoles: z.array(SsoGroupRole),
  required: z.boolean(),
  version: z.number().int().positive(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type StoredSsoConfig = z.infer<typeof StoredSsoConfig>;

/** A sign-in that was started and waits for the provider's answer (keyed by the state's hash). */
export const PendingLogin = z.object({
  kind: z.literal("login"),
  hash: z.string(),
  /** `org:{slug}` or `platform:{id}`. */
  source: z.string(),
  issuer: z.string(),
  clientId: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  /** SHA-256 of the random value in the browser's `assay_sso` cookie (login CSRF). */
  browserHash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PendingLogin = z.infer<typeof PendingLogin>;

/** A verified provider identity waiting for the existing account's password before linking. */
export const PendingLink = z.object({
  kind: z.literal("link"),
  hash: z.string(),
  source: z.string(),
  issuer: z.string(),
  subject: z.string(),
  userId: z.string(),
  email: z.string(),
  groups: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type PendingLink = z.infer<typeof PendingLink>;

export const PendingSso = z.discriminatedUnion("kind", [PendingLogin, PendingLink]);
export type PendingSso = z.infer<typeof PendingSso>;

/** A provider identity (issuer + subject) bound to an account. */
export const SsoIdentity = z.object({
  issuer: z.string(),
  subject: z.string(),
  userId: z.string(),
  email: z.string(),
  createdAt: z.string(),
});
export type SsoIdentity = z.infer<typeof SsoIdentity>;

export interface SsoStore {
  getConfig(orgId: string): Promise<StoredSsoConfig | undefined>;
  /**
   * Writes the settings if the stored version is `config.version - 1` (0: none yet) and claims
   * its domains for the org, releasing the ones it no longer lists. Returns false when someone
   * else wrote in between; throws `already_exists` naming a domain another org has claimed.
   */
  putConfig(config: StoredSsoConfig, previousDomains: readonly string[]): Promise<boolean>;
  /** The organization that claimed an email domain. */
  orgOfDomain(domain: string): Promise<string | undefined>;
  putPending(pending: PendingSso): Promise<void>;
  getPending(hash: string): Promise<PendingSso | undefined>;
  /**
   * Atomically deletes and returns the pending item of that kind when it exists and expires
   * after `now`; otherwise undefined. Concurrent callers: exactly one gets it.
   */
  consumePending<K extends PendingSso["kind"]>(
    hash: string,
    kind: K,
    now: string,
  ): Promise<Extract<PendingSso, { kind: K }> | undefined>;
  getIdentity(issuer: string, subject: string): Promise<SsoIdentity | undefined>;
  /** Binds the identity; false when it is already bound (to anyone). */
  putIdentity(identity: SsoIdentity): Promise<boolean>;
}
