/**
 * Envelope encryption of credential values (node:crypto AES-256-GCM). Each organization has one
 * data key, made on its first credential and stored wrapped by the control plane's key
 * (KeyWrapper); values are sealed with the data key and bound, through the GCM additional data,
 * to their organization, scope and name, so a sealed value copied into another slot does not
 * open. Unwrapped data keys are kept in memory for `cacheMs` (KMS calls cost time and money).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError, createTtlCache } from "@assay/shared";
import type { CredentialScope, CredentialStore } from "./ports/credential-store.ts";
import type { KeyWrapper } from "./ports/key-wrapper.ts";
import type { Clock } from "./ports.ts";

const VERSION = "v1.";

/** Seals and opens values of one organization's slots. */
export interface CredentialSealer {
  seal(orgId: string, slot: string, plain: string): Promise<string>;
  open(orgId: string, slot: string, sealed: string): Promise<string>;
}

/** The additional data binding a sealed value to its slot. */
export const slotOf = ({ orgId, envId }: CredentialScope, name: string): string =>
  `${orgId}\u0000${envId ?? ""}\u0000${name}`;

export function createCredentialSealer(deps: {
  store: Pick<CredentialStore, "createDataKey" | "getDataKey">;
  keys: KeyWrapper;
  clock: Clock;
  cacheMs?: number;
}): CredentialSealer {
  const cacheMs = deps.cacheMs ?? 5 * 60_000;
  const cache = createTtlCache<string, Uint8Array>({ clock: deps.clock, ttlMs: cacheMs });

  async function dataKey(orgId: string): Promise<Uint8Array> {
    const hit = cache.get(orgId);
    if (hit !== undefined) return hit;
    let wrapped = await deps.store.getDataKey(orgId);
    let key: Uint8Array;
    if (wrapped === undefined) {
      const fresh = await deps.keys.generate(orgId);
      if (await deps.store.createDataKey(orgId, fresh.wrapped)) key = fresh.plain;
      else {
        // Another writer made the key first: use theirs.
        wrapped = await deps.store.getDataKey(orgId);
        if (wrapped === undefined) throw new AppError("internal", "the organization's data key vanished");
        key = await deps.keys.unwrap(orgId, wrapped);
      }
    } else key = await deps.keys.unwrap(orgId, wrapped);
    cache.set(orgId, key);
    return key;
  }

  return {
    async seal(orgId, slot, plain) {
      const key = await dataKey(orgId);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(slot, "utf8"));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${VERSION}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    async open(orgId, slot, sealed) {
      if (!sealed.startsWith(VERSION))
        throw new AppError("internal", "a stored credential has an unknown format");
      const key = await dataKey(orgId);
      const raw = Buffer.from(sealed.slice(VERSION.length), "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(slot, "utf8"));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      } catch (error) {
        throw new AppError("internal", "a stored credential cannot be decrypted", { cause: error });
      }
    },
  };
}
