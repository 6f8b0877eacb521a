/**
 * Ports of the credential store (credentials.ts): where sealed values live and who wraps the
 * organizations' data keys. Values are sealed before they reach a CredentialStore, so an
 * adapter (and a backup, or a scan of the table) only ever sees ciphertext.
 */
import { CredentialKind, CredentialName } from "@assay/shared";
import * as z from "zod";

/** A credential as stored: its value sealed with the organization's data key. */
export const StoredCredential = z.object({
  orgId: z.string(),
  /** Unset for the organization's own credentials. */
  envId: z.string().optional(),
  name: CredentialName,
  kind: CredentialKind,
  /** `v1.<base64url(iv | tag | ciphertext)>`, AES-256-GCM bound to org, env and name. */
  sealed: z.string(),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type StoredCredential = z.infer<typeof StoredCredential>;

/** Whose credentials: an organization's own (no `envId`) or one of its environments'. */
export interface CredentialScope {
  orgId: string;
  envId?: string | undefined;
}

/** Where credentials and the wrapped data key of each organization are kept. */
export interface CredentialStore {
  /**
   * Writes `item` if the slot's current version is `expectVersion - 1` (0: the name is new);
   * returns false when someone else wrote in between.
   */
  put(item: StoredCredential): Promise<boolean>;
  get(scope: CredentialScope, name: string): Promise<StoredCredential | undefined>;
  /** Every credential of one scope (the org's own, or one environment's), by name. */
  list(scope: CredentialScope): Promise<StoredCredential[]>;
  /** Returns false when there was nothing to delete. */
  delete(scope: CredentialScope, name: string): Promise<boolean>;
  /** The organization's wrapped data key, if it has one yet. */
  getDataKey(orgId: string): Promise<string | undefined>;
  /** Stores the first data key of an organization; false when one exists already (a race). */
  createDataKey(orgId: string, wrapped: string): Promise<boolean>;
}

/**
 * The key the control plane holds (KMS in AWS, the local key file in local mode): it wraps and
 * unwraps the per-organization data keys and never leaves its holder.
 */
export interface KeyWrapper {
  /** A fresh 32-byte data key for `orgId`, plain and wrapped (the wrapped form is stored). */
  generate(orgId: string): Promise<{ plain: Uint8Array; wrapped: string }>;
  /** The plain data key of `orgId`; throws when the wrapped key is not for that org. */
  unwrap(orgId: string, wrapped: string): Promise<Uint8Array>;
}
