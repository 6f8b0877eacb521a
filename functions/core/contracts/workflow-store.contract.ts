/**
 * The WorkflowStore contract: every implementation registers these cases with its own factory.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { WorkflowRecord } from "@assay/shared";
import type { EnvRef } from "../ports/refs.ts";
import type { WorkflowStore } from "../ports.ts";
import { appError, uniqueSlug } from "./fixtures.ts";

const makeWorkflow = ({ orgId, envId }: EnvRef, name: string, version = 1): WorkflowRecord => ({
  orgId,
  envId,
  name,
  source: `kind: TestWorkflow\nmetadata:\n  name: ${name}\n`,
  spec: {
    kind: "TestWorkflow",
    metadata: { name },
    spec: {
      steps: [{ name: "run", shell: "echo hi", retry: { count: 2 } }],
      config: { flag: { type: "boolean", default: false }, nothing: null, ratio: 0.25 },
    },
  },
  labels: { team: "qa" },
  description: "smoke tests",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  version,
});

/** Registers the WorkflowStore cases under `name`; `make` is called once, before the cases. */
export const runWorkflowStoreContract = (
  name: string,
  make: () => WorkflowStore | Promise<WorkflowStore>,
): void => {
  describe(`WorkflowStore contract: ${name}`, () => {
    let store: WorkflowStore;
    before(async () => {
      store = await make();
    });

    test("round-trips a workflow exactly, nested spec included; missing is undefined", async () => {
      const org = uniqueSlug("org");
      const workflow = makeWorkflow({ orgId: org, envId: "staging" }, "smoke");
      await store.put(workflow);
      assert.deepEqual(await store.get({ orgId: org, envId: "staging" }, "smoke"), workflow);
      assert.equal(await store.get({ orgId: org, envId: "staging" }, "other"), undefined);
      assert.equal(await store.get({ orgId: org, envId: "prod" }, "smoke"), undefined);
      assert.equal(await store.get({ orgId: uniqueSlug("org"), envId: "staging" }, "smoke"), undefined);
    });

    test("expectedVersion 0 creates only when absent; a mismatch is aborted", async () => {
      const org = uniqueSlug("org");
      await store.put(makeWorkflow({ orgId: org, envId: "staging" }, "api"), 0);
      await assert.rejects(
        store.put(makeWorkflow({ orgId: org, envId: "staging" }, "api"), 0),
        appError("aborted"),
      );
      await store.put(makeWorkflow({ orgId: org, envId: "staging" }, "api", 2), 1);
      await assert.rejects(
        store.put(makeWorkflow({ orgId: org, envId: "staging" }, "api", 3), 1),
        appError("aborted"),
      );
      assert.equal((await store.get({ orgId: org, envId: "staging" }, "api"))?.version, 2);
      await store.put(makeWorkflow({ orgId: org, envId: "staging" }, "api", 3), 2);
      assert.equal((await store.get({ orgId: org, envId: "staging" }, "api"))?.version, 3);
    });

    test("without expectedVersion a put replaces", async () => {
      const org = uniqueSlug("org");
      await store.put(makeWorkflow({ orgId: org, envId: "staging" }, "web"));
      await store.put({
        ...makeWorkflow({ orgId: org, envId: "staging" }, "web", 5),
        description: "changed",
      });
      const stored = await store.get({ orgId: org, envId: "staging" }, "web");
      assert.equal(stored?.description, "changed");
      assert.equal(stored?.version, 5);
    });

    test("lists one environment's workflows only", async () => {
      const org = uniqueSlug("org");
      for (const name of ["a", "b", "c.d"])
        await store.put(makeWorkflow({ orgId: org, envId: "staging" }, name));
      await store.put(makeWorkflow({ orgId: org, envId: "prod" }, "z"));
      await store.put(makeWorkflow({ orgId: uniqueSlug("org"), envId: "staging" }, "x"));
      const names = (await store.list({ orgId: org, envId: "staging" })).map((w) => w.name).sort();
      assert.deepEqual(names, ["a", "b", "c.d"]);
      assert.deepEqual(await store.list({ orgId: org, envId: "empty" }), []);
    });

    test("delete reports whether something was deleted, and only in its own tenant", async () => {
      const org = uniqueSlug("org");
      await store.put(makeWorkflow({ orgId: org, envId: "staging" }, "gone"));
      assert.equal(await store.delete({ orgId: uniqueSlug("org"), envId: "staging" }, "gone"), false);
      assert.equal(await store.delete({ orgId: org, envId: "staging" }, "gone"), true);
      assert.equal(await store.delete({ orgId: org, envId: "staging" }, "gone"), false);
      assert.equal(await store.get({ orgId: org, envId: "staging" }, "gone"), undefined);
    });
  });
};
