/**
 * The SsoStore contract: settings with optimistic versions, one org per email domain, pending
 * sign-ins consumed exactly once (even concurrently) and never after expiry, identities bound
 * once.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import type { PendingLogin, SsoStore, StoredSsoConfig } from "../ports/sso-store.ts";
import { appError, uniqueSlug } from "./fixtures.ts";

const NOW = "2026-01-01T00:00:00.000Z";
const LATER = "2026-01-01T00:10:00.000Z";
const hash = () => createHash("sha256").update(randomBytes(32)).digest("hex");

const config = (orgId: string, domains: string[], version = 1): StoredSsoConfig => ({
  orgId,
  enabled: true,
  issuer: "https://idp.example.com",
  clientId: "client",
  sealedSecret: "v1.sealed",
  domains,
  defaultRole: "member",
  extraScopes: [],
  groupsClaim: "groups",
  groupRoles: [{ group: "admins", role: "admin" }],
  required: false,
  version,
  updatedAt: NOW,
  updatedBy: "owner@example.com",
});

const login = (): PendingLogin => ({
  kind: "login",
  hash: hash(),
  source: "org:acme",
  issuer: "https://idp.example.com",
  clientId: "client",
  nonce: "n",
  codeVerifier: "v",
  browserHash: hash(),
  createdAt: NOW,
  expiresAt: LATER,
});

/** Registers the SsoStore cases under `name`; `make` is called once, before the cases. */
export const runSsoStoreContract = (name: string, make: () => SsoStore | Promise<SsoStore>): void => {
  describe(`SsoStore contract: ${name}`, () => {
    let store: SsoStore;
    before(async () => {
      store = await make();
    });

    test("settings are versioned: a stale write is refused", async () => {
      const org = uniqueSlug("sso");
      assert.equal(await store.getConfig(org), undefined);
      assert.equal(await store.putConfig(config(org, [`${org}.test`]), []), true);
      assert.equal(await store.putConfig(config(org, [`${org}.test`]), []), false, "version 1 twice");
      assert.equal(await store.putConfig(config(org, [`${org}.test`], 2), [`${org}.test`]), true);
      assert.equal((await store.getConfig(org))?.version, 2);
    });

    test("a domain names one organization; released domains can be claimed again", async () => {
      const a = uniqueSlug("sso-a");
      const b = uniqueSlug("sso-b");
      const domain = `${a}.test`;
      assert.ok(await store.putConfig(config(a, [domain]), []));
      assert.equal(await store.orgOfDomain(domain), a);
      await assert.rejects(store.putConfig(config(b, [domain]), []), appError("already_exists"));
      assert.equal(await store.getConfig(b), undefined, "nothing written by the refused transaction");
      assert.ok(await store.putConfig(config(a, [], 2), [domain]));
      assert.equal(await store.orgOfDomain(domain), undefined);
      assert.ok(await store.putConfig(config(b, [domain]), []));
      assert.equal(await store.orgOfDomain(domain), b);
    });

    test("a pending sign-in is consumed once, even by concurrent callers", async () => {
      const pending = login();
      await store.putPending(pending);
      assert.deepEqual(await store.getPending(pending.hash), pending);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => store.consumePending(pending.hash, "login", NOW)),
      );
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.equal(await store.consumePending(pending.hash, "login", NOW), undefined);
      assert.equal(await store.getPending(pending.hash), undefined);
    });

    test("an expired or other-kind pending item is not consumed", async () => {
      const pending = login();
      await store.putPending(pending);
      assert.equal(await store.consumePending(pending.hash, "login", LATER), undefined, "expired");
      assert.equal(await store.consumePending(pending.hash, "link", NOW), undefined, "other kind");
      assert.equal(await store.consumePending("not-a-hash", "login", NOW), undefined);
      assert.ok(await store.consumePending(pending.hash, "login", NOW));
    });

    test("an identity is bound once", async () => {
      const identity = {
        issuer: "https://idp.example.com",
        subject: hash(),
        userId: "usr_1",
        email: "a@b.test",
        createdAt: NOW,
      };
      assert.equal(await store.getIdentity(identity.issuer, identity.subject), undefined);
      assert.equal(await store.putIdentity(identity), true);
      assert.equal(await store.putIdentity({ ...identity, userId: "usr_2" }), false);
      assert.equal((await store.getIdentity(identity.issuer, identity.subject))?.userId, "usr_1");
      assert.equal(await store.getIdentity("https://other.example.com", identity.subject), undefined);
    });
  });
};
