/**
 * The TokenStore contract: every implementation registers these cases with its own factory.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import type { TokenRecord } from "@assay/shared";
import type { TokenStore } from "../ports.ts";
import { appError, uniqueSlug } from "./fixtures.ts";

const makeToken = (orgId: string, overrides: Partial<TokenRecord> = {}): TokenRecord => ({
  id: randomBytes(6).toString("hex"),
  kind: "agent",
  hash: createHash("sha256").update(randomBytes(32)).digest("hex"),
  name: "ci agent",
  orgId,
  envId: "staging",
  createdAt: "2026-01-01T00:00:00.000Z",
  ...overrides,
});

/** Registers the TokenStore cases under `name`; `make` is called once, before the cases. */
export const runTokenStoreContract = (name: string, make: () => TokenStore | Promise<TokenStore>): void => {
  describe(`TokenStore contract: ${name}`, () => {
    let store: TokenStore;
    before(async () => {
      store = await make();
    });

    test("stores a token and finds it by hash; unknown hashes are undefined", async () => {
      const token = makeToken(uniqueSlug("org"), { kind: "api", role: "admin", envId: undefined });
      await store.put(token);
      const { envId: _none, ...expected } = token;
      assert.deepEqual(await store.getByHash(token.hash), expected);
      assert.equal(await store.getByHash(createHash("sha256").update("nope").digest("hex")), undefined);
      assert.equal(await store.getByHash("not-a-hash"), undefined);
    });

    test("a second token with the same hash is already_exists", async () => {
      const token = makeToken(uniqueSlug("org"));
      await store.put(token);
      await assert.rejects(
        store.put({ ...token, id: "other", orgId: uniqueSlug("org") }),
        appError("already_exists"),
      );
      assert.equal((await store.getByHash(token.hash))?.id, token.id);
    });

    test("lists the tokens of one organization only", async () => {
      const org = uniqueSlug("org");
      const mine = [makeToken(org), makeToken(org), makeToken(org, { kind: "api", role: "viewer" })];
      for (const token of mine) await store.put(token);
      await store.put(makeToken(uniqueSlug("org")));
      const listed = await store.listByOrg(org);
      assert.deepEqual(listed.map((t) => t.id).sort(), mine.map((t) => t.id).sort());
      assert.deepEqual(await store.listByOrg(uniqueSlug("empty")), []);
    });

    test("revoke marks the token, keeps the first time, and is scoped to the org", async () => {
      const org = uniqueSlug("org");
      const token = makeToken(org);
      await store.put(token);

      assert.equal(await store.revoke(uniqueSlug("intruder"), token.id, "2026-02-01T00:00:00.000Z"), false);
      assert.equal((await store.getByHash(token.hash))?.revokedAt, undefined);

      assert.equal(await store.revoke(org, token.id, "2026-02-02T00:00:00.000Z"), true);
      assert.equal(await store.revoke(org, token.id, "2026-02-03T00:00:00.000Z"), true);
      assert.equal((await store.getByHash(token.hash))?.revokedAt, "2026-02-02T00:00:00.000Z");
      const listed = await store.listByOrg(org);
      assert.equal(listed[0]?.revokedAt, "2026-02-02T00:00:00.000Z");

      assert.equal(await store.revoke(org, "no-such-token", "2026-02-04T00:00:00.000Z"), false);
    });
  });
};
