/**
 * KeyWrapper of local mode: data keys are sealed (AES-256-GCM, node:crypto) with the 32-byte
 * key file in the data directory, bound to their organization. Production-quality for a single
 * host; in AWS the KMS adapter plays this part.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError } from "@assay/shared";
import type { KeyWrapper } from "../../core/ports/key-wrapper.ts";

/** Seals a data key with a 32-byte key the process holds (the local key file), bound to the org. */
export function createLocalKeyWrapper(masterKey: Uint8Array): KeyWrapper {
  if (masterKey.length !== 32) throw new AppError("internal", "the local key must be 32 bytes");
  const aad = (orgId: string) => Buffer.from(`assay-data-key\u0000${orgId}`, "utf8");
  return {
    async generate(orgId) {
      const plain = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
      cipher.setAAD(aad(orgId));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      const wrapped = `local.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
      return { plain, wrapped };
    },
    async unwrap(orgId, wrapped) {
      if (!wrapped.startsWith("local."))
        throw new AppError("internal", "the data key was not wrapped locally");
      const raw = Buffer.from(wrapped.slice("local.".length), "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", masterKey, raw.subarray(0, 12));
        decipher.setAAD(aad(orgId));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
      } catch (error) {
        throw new AppError("internal", "the organization's data key cannot be unwrapped (wrong key file?)", {
          cause: error,
        });
      }
    },
  };
}
