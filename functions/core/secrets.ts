/**
 * Random secrets for sessions, email links and invitations: 32 random bytes, base64url. Only
 * their SHA-256 is stored (see tokens.ts on why a fast hash suffices for random secrets).
 */
import { randomBytes } from "node:crypto";
import { hashToken } from "./tokens.ts";

/** A new secret and the hash to store. */
export const newSecret = (prefix = ""): { secret: string; hash: string } => {
  const secret = `${prefix}${randomBytes(32).toString("base64url")}`;
  return { secret, hash: hashToken(secret) };
};

/** A short random id with a readable prefix (`usr_...`, `inv_...`). */
export const newId = (prefix: string): string => `${prefix}_${randomBytes(10).toString("hex")}`;

export { hashToken as hashSecret };
