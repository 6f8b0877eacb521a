/**
 * Password hashing with node:crypto's scrypt (no native addon, a well-kept primitive): a per-user
 * 16-byte salt, N=2^15, r=8, p=1 (~32 MiB and ~100 ms per hash on a small instance), encoded as
 * `scrypt$N$r$p$salt$hash` so the cost can be raised later without breaking old hashes.
 * Comparison is constant-time. Strength rules give clear messages (400s at the API).
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { AppError } from "@assay/shared";

const KEY_LENGTH = 32;
const DEFAULT_COST = { N: 2 ** 15, r: 8, p: 1 };

const derive = (password: string, salt: Buffer, cost: { N: number; r: number; p: number }) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LENGTH,
      { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 },
      (e, key) => (e ? reject(e) : resolve(key)),
    ),
  );

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** True when the password matches the stored hash; malformed hashes never match. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== "scrypt" || !salt || !hash || !Number.isInteger(cost.N) || cost.N > 2 ** 20) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), cost);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * A hash of a random password, verified against when the account does not exist so that a
 * login for an unknown email costs the same time as one for a known email.
 */
export const dummyPasswordHash = (): Promise<string> => {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
};
let dummy: Promise<string> | undefined;

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/];

/** Throws `invalid_argument` (path `password`) when a password is too weak for this email. */
export function checkPasswordStrength(password: string, email: string): void {
  const fail = (message: string) => {
    throw new AppError("invalid_argument", `password: ${message}`, {
      issues: [{ path: "password", message }],
    });
  };
  if (password.length < 10) fail("must be at least 10 characters long");
  if (password.length > 256) fail("must be at most 256 characters long");
  if (CLASSES.filter((c) => c.test(password)).length < 2) {
    fail("must mix at least two kinds of characters (lower case, upper case, digits, symbols)");
  }
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  if (local.length >= 3 && password.toLowerCase().includes(local))
    fail("must not contain your email address");
  if (new Set(password).size < 4) fail("must not repeat a few characters over and over");
}
