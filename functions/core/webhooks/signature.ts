/**
 * Delivery signatures: `X-Assay-Signature: v1=<hex>` where hex is HMAC-SHA256 with the
 * webhook's secret over `{timestamp}.{body}`, and `X-Assay-Timestamp` is that timestamp in Unix
 * seconds. Signing the timestamp makes a captured request useless after the receiver's
 * tolerance window (5 minutes recommended); `Idempotency-Key` lets it drop a repeat inside it.
 * See docs/webhooks.md for receivers.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-assay-signature";
export const TIMESTAMP_HEADER = "x-assay-timestamp";

/** The signature header value of `body` sent at `timestampSeconds`. */
export const signPayload = (secret: string, timestampSeconds: number, body: string): string =>
  `v1=${createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")}`;

/**
 * Verifies a received delivery: the signature matches and the timestamp is within
 * `toleranceSeconds` (default 300) of `nowMs`. What a receiver does, in TypeScript.
 */
export function verifySignature(input: {
  secret: string;
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs: number;
  toleranceSeconds?: number;
}): boolean {
  const seconds = Number(input.timestamp);
  if (!Number.isInteger(seconds)) return false;
  if (Math.abs(input.nowMs / 1000 - seconds) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(input.secret, seconds, input.body));
  const given = Buffer.from(input.signature ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
