/** Password hashing and strength rules. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkPasswordStrength, hashPassword, verifyPassword } from "./passwords.ts";

const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

test("hashes are salted, self-describing, and verify only the right password", async () => {
  const a = await hashPassword("correct horse 42", CHEAP);
  const b = await hashPassword("correct horse 42", CHEAP);
  assert.notEqual(a, b);
  assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
  assert.equal(await verifyPassword("correct horse 42", a), true);
  assert.equal(await verifyPassword("correct horse 43", a), false);
  // NFKC: the same password typed with a compatibility character still matches.
  assert.equal(await verifyPassword("ｃorrect horse 42", a), true);
});

test("malformed or hostile stored hashes never verify (nor run up the cost)", async () => {
  for (const stored of ["", "plain", "bcrypt$x", "scrypt$x$8$1$a$b", `scrypt$${2 ** 30}$8$1$YQ$YQ`]) {
    assert.equal(await verifyPassword("anything at all 1", stored), false);
  }
});

test("strength rules name what is wrong", () => {
  const refused = (password: string, email = "alice@example.com") =>
    assert.throws(() => checkPasswordStrength(password, email), /password:/);
  refused("Sh0rt!");
  refused("onlylowercaseletters");
  refused("1234567890123");
  refused("Alice-2026-rocks", "alice@example.com");
  refused("aAaAaAaAaAaA");
  checkPasswordStrength("correct horse 42", "alice@example.com");
  checkPasswordStrength("Tr0ub4dor&3xyz", "al@example.com");
});
