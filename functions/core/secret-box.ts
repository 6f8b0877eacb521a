/**
 * Encryption at rest of sensitive config values (AES-256-GCM, node:crypto). A sealed value is
 * `enc:v1:<base64url(iv | tag | ciphertext)>`: the version prefix lets the key or algorithm
 * change later, and the 96-bit random IV per value never repeats in practice.
 *
 * `withSealedConfig` wraps an ExecutionStore: it seals the execution's sensitive values when
 * the execution is created and opens them on every read, so storage only ever holds
 * ciphertext while the core (which masks them in API views, and sends them to the agent that
 * masks them in logs) works with plain values.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AppError, type Execution } from "@assay/shared";
import type { ExecutionStore } from "./ports.ts";

const PREFIX = "enc:v1:";

/** Seals and opens strings with one 32-byte key. */
export interface SecretBox {
  seal(plain: string): string;
  /** Opens a sealed value; a value without the prefix is returned as is (written before sealing). */
  open(value: string): string;
}

/** A box over `key` (32 bytes). */
export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new AppError("internal", "the config encryption key must be 32 bytes");
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(value) {
      if (!value.startsWith(PREFIX)) return value;
      const raw = Buffer.from(value.slice(PREFIX.length), "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
      } catch (error) {
        throw new AppError("internal", "a sensitive config value cannot be decrypted (wrong key?)", {
          cause: error,
        });
      }
    },
  };
}

/** Parses a key given as 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Uint8Array {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32)
    throw new AppError("internal", "the config encryption key must be 32 bytes (hex or base64)");
  return key;
}

const mapSensitive = (execution: Execution, fn: (value: string) => string): Execution => {
  if (execution.sensitive.length === 0) return execution;
  const config = { ...execution.config };
  for (const name of execution.sensitive) {
    const value = config[name];
    if (value !== undefined) config[name] = fn(value);
  }
  return { ...execution, config };
};

/** See the module header. Without a box, sensitive values are refused rather than stored plain. */
export function withSealedConfig(inner: ExecutionStore, box: SecretBox | undefined): ExecutionStore {
  const open = (execution: Execution) => (box === undefined ? execution : mapSensitive(execution, box.open));
  const openMaybe = (execution: Execution | undefined) =>
    execution === undefined ? undefined : open(execution);
  return {
    ...inner,
    async create(execution) {
      const hasSensitive = execution.sensitive.some((name) => execution.config[name] !== undefined);
      if (hasSensitive && box === undefined) {
        throw new AppError(
          "failed_precondition",
          "sensitive config values need an encryption key, and none is configured",
        );
      }
      await inner.create(box === undefined ? execution : mapSensitive(execution, box.seal));
    },
    get: async (...a) => openMaybe(await inner.get(...a)),
    async list(...a) {
      const page = await inner.list(...a);
      return { ...page, items: page.items.map(open) };
    },
    listQueued: async (...a) => (await inner.listQueued(...a)).map(open),
    listActiveForAgent: async (...a) => (await inner.listActiveForAgent(...a)).map(open),
    transition: async (...a) => openMaybe(await inner.transition(...a)),
    updateStep: (...a) => inner.updateStep(...a),
    recordLogBytes: (...a) => inner.recordLogBytes(...a),
    delete: (...a) => inner.delete(...a),
  };
}
