/**
 * The OrgStore contract: every implementation registers these cases with its own factory.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Environment, Organization } from "@assay/shared";
import type { OrgStore } from "../ports.ts";
import { appError, uniqueSlug } from "./fixtures.ts";

const makeOrg = (id = uniqueSlug("org")): Organization => ({
  id,
  name: `Org ${id}`,
  plan: "free",
  createdAt: "2026-01-01T00:00:00.000Z",
});

const makeEnv = (orgId: string, id: string): Environment => ({
  orgId,
  id,
  name: id,
  createdAt: "2026-01-02T00:00:00.000Z",
});

/** Registers the OrgStore cases under `name`; `make` is called once, before the cases. */
export const runOrgStoreContract = (name: string, make: () => OrgStore | Promise<OrgStore>): void => {
  describe(`OrgStore contract: ${name}`, () => {
    let store: OrgStore;
    before(async () => {
      store = await make();
    });

    test("creates and reads an organization; a missing one is undefined", async () => {
      const org = makeOrg();
      await store.createOrg(org);
      assert.deepEqual(await store.getOrg(org.id), org);
      assert.equal(await store.getOrg(uniqueSlug("missing")), undefined);
    });

    test("every organization is listed for platform-wide sweeps", async () => {
      const a = makeOrg();
      const b = makeOrg();
      await store.createOrg(a);
      await store.createOrg(b);
      const ids = await store.listOrgIds();
      assert.ok(ids.includes(a.id) && ids.includes(b.id));
    });

    test("a taken organization id is already_exists and the first one is kept", async () => {
      const org = makeOrg();
      await store.createOrg(org);
      await assert.rejects(store.createOrg({ ...org, name: "Impostor" }), appError("already_exists"));
      assert.equal((await store.getOrg(org.id))?.name, org.name);
    });

    test("environments: create, get, list, duplicate, and the same id in two orgs", async () => {
      const a = makeOrg();
      const b = makeOrg();
      await store.createOrg(a);
      await store.createOrg(b);
      await store.createEnv(makeEnv(a.id, "staging"));
      await store.createEnv(makeEnv(a.id, "prod"));
      await store.createEnv(makeEnv(b.id, "staging"));
      await assert.rejects(store.createEnv(makeEnv(a.id, "staging")), appError("already_exists"));

      assert.deepEqual(await store.getEnv({ orgId: a.id, envId: "staging" }), makeEnv(a.id, "staging"));
      assert.equal(await store.getEnv({ orgId: a.id, envId: "missing" }), undefined);
      const listed = (await store.listEnvs(a.id)).map((env) => env.id).sort();
      assert.deepEqual(listed, ["prod", "staging"]);
      assert.deepEqual(
        (await store.listEnvs(b.id)).map((env) => env.id),
        ["staging"],
      );
      assert.deepEqual(await store.listEnvs(uniqueSlug("nobody")), []);
    });

    test("an environment cannot be created in a missing organization", async () => {
      const orgId = uniqueSlug("ghost");
      await assert.rejects(store.createEnv(makeEnv(orgId, "staging")), appError("not_found"));
      assert.equal(await store.getEnv({ orgId, envId: "staging" }), undefined);
    });

    test("org A cannot read org B's environment by id", async () => {
      const a = makeOrg();
      const b = makeOrg();
      await store.createOrg(a);
      await store.createOrg(b);
      await store.createEnv(makeEnv(b.id, "secret"));
      assert.equal(await store.getEnv({ orgId: a.id, envId: "secret" }), undefined);
    });

    test("invalid input is invalid_argument", async () => {
      await assert.rejects(store.createOrg({ ...makeOrg(), id: "Not A Slug" }), appError("invalid_argument"));
    });
  });
};
