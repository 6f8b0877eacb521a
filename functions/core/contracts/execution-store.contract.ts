/**
 * The ExecutionStore contract, records: create, read, list and filter, steps, log length,
 * delete and run numbers (its claims, transitions and leases: execution-lifecycle.contract.ts).
 * Every implementation registers these cases with its own factory.
 * Each case works in its own fresh organization, so cases can share one backend.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Execution } from "@assay/shared";
import type { ExecutionStore } from "../ports.ts";
import {
  appError,
  claimExecution,
  createExecutions,
  makeExecution,
  makeStep,
  uniqueSlug,
} from "./fixtures.ts";

const ENV = "staging";

/** Registers the cases under `name`; `make` is called once, before the cases. */
export const runExecutionStoreContract = (
  name: string,
  make: () => ExecutionStore | Promise<ExecutionStore>,
): void => {
  describe(`ExecutionStore contract: ${name}`, () => {
    let store: ExecutionStore;
    before(async () => {
      store = await make();
    });

    const createMany = (orgId: string, count: number, overrides: Partial<Execution> = {}) =>
      createExecutions(store, { orgId, envId: ENV }, count, overrides);
    const claim = (orgId: string, id: string, agentId: string) =>
      claimExecution(store, { orgId, envId: ENV, id }, agentId);

    test("creates and reads an execution; a duplicate id is already_exists", async () => {
      const org = uniqueSlug("org");
      const execution = makeExecution({ orgId: org, envId: ENV }, { tags: { branch: "main" } });
      await store.create(execution);
      assert.deepEqual(await store.get({ orgId: org, envId: ENV, id: execution.id }), execution);
      await assert.rejects(store.create({ ...execution, workflowName: "other" }), appError("already_exists"));
      assert.equal((await store.get({ orgId: org, envId: ENV, id: execution.id }))?.workflowName, "smoke");
    });

    test("not found and tenant isolation: another org or env cannot read it by id", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      assert.equal(await store.get({ orgId: uniqueSlug("org"), envId: ENV, id: execution.id }), undefined);
      assert.equal(await store.get({ orgId: org, envId: "prod", id: execution.id }), undefined);
      assert.equal(
        await store.get({ orgId: org, envId: ENV, id: makeExecution({ orgId: org, envId: ENV }).id }),
        undefined,
      );
      const other = uniqueSlug("org");
      assert.equal(
        await store.transition(
          { orgId: other, envId: ENV, id: execution.id },
          { from: ["queued"], set: { status: "canceled" } },
        ),
        undefined,
      );
      assert.equal(await store.delete({ orgId: other, envId: ENV, id: execution.id }), false);
      assert.equal((await store.get({ orgId: org, envId: ENV, id: execution.id }))?.status, "queued");
    });

    test("lists newest first across pages, with no duplicates and a final page without cursor", async () => {
      const org = uniqueSlug("org");
      const created = await createMany(org, 5);
      const newestFirst = created.map((e) => e.id).reverse();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({ orgId: org, envId: ENV }, {}, { limit: 2, cursor });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined && pages < 10);
      assert.deepEqual(seen, newestFirst);
      assert.equal(pages, 3);

      const all = await store.list({ orgId: org, envId: ENV }, {}, { limit: 5 });
      assert.deepEqual(
        all.items.map((e) => e.id),
        newestFirst,
      );
      assert.equal(all.nextCursor, undefined, "an exactly full last page has no cursor");
      assert.deepEqual(
        (await store.list({ orgId: uniqueSlug("org"), envId: ENV }, {}, { limit: 10 })).items,
        [],
      );
    });

    test("filters by workflow and by status, paginating within the filter", async () => {
      const org = uniqueSlug("org");
      const smoke = await createMany(org, 3, { workflowName: "smoke" });
      const load = await createMany(org, 3, { workflowName: "load" });
      const [first, second] = load;
      assert.ok(first && second);
      await claim(org, first.id, "agent-1");
      await claim(org, second.id, "agent-1");

      const byWorkflow = await store.list({ orgId: org, envId: ENV }, { workflow: "smoke" }, { limit: 50 });
      assert.deepEqual(
        byWorkflow.items.map((e) => e.id),
        smoke.map((e) => e.id).reverse(),
      );

      const assigned: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(
          { orgId: org, envId: ENV },
          { status: "assigned" },
          { limit: 1, cursor },
        );
        assigned.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      assert.deepEqual(assigned, [second.id, first.id]);

      const both = await store.list(
        { orgId: org, envId: ENV },
        { workflow: "load", status: "queued" },
        { limit: 50 },
      );
      assert.deepEqual(
        both.items.map((e) => e.id),
        [load[2]?.id],
      );
      const none = await store.list(
        { orgId: org, envId: ENV },
        { workflow: "smoke", status: "passed" },
        { limit: 50 },
      );
      assert.deepEqual(none, { items: [] });
    });

    test("a malformed or foreign cursor is invalid_argument", async () => {
      const org = uniqueSlug("org");
      const bad = ["!!!", "e30", Buffer.from('{"v":1,"after":"x"}').toString("base64url"), "a".repeat(300)];
      for (const cursor of bad) {
        await assert.rejects(
          store.list({ orgId: org, envId: ENV }, {}, { limit: 5, cursor }),
          appError("invalid_argument"),
          cursor,
        );
      }
    });

    test("updateStep replaces one step and concurrent updates of different steps all land", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1, {
        steps: Array.from({ length: 8 }, (_, i) => makeStep(`s${i}`)),
      });
      assert.ok(execution);
      await Promise.all(
        execution.steps.map((step, i) =>
          store.updateStep(
            { orgId: org, envId: ENV, id: execution.id },
            { ...step, status: "passed", exitCode: i },
          ),
        ),
      );
      const stored = await store.get({ orgId: org, envId: ENV, id: execution.id });
      assert.deepEqual(
        stored?.steps.map((s) => [s.ref, s.status, s.exitCode]),
        execution.steps.map((s, i) => [s.ref, "passed", i]),
      );
      await store.updateStep(
        { orgId: org, envId: ENV, id: execution.id },
        makeStep("s3", { status: "failed", warnings: ["w"] }),
      );
      assert.deepEqual(
        (await store.get({ orgId: org, envId: ENV, id: execution.id }))?.steps[3],
        makeStep("s3", { status: "failed", warnings: ["w"] }),
      );
    });

    test("updateStep: missing execution or step is not_found, a finished execution failed_precondition", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      await assert.rejects(
        store.updateStep(
          { orgId: org, envId: ENV, id: makeExecution({ orgId: org, envId: ENV }).id },
          makeStep("s1"),
        ),
        appError("not_found"),
      );
      await assert.rejects(
        store.updateStep({ orgId: org, envId: ENV, id: execution.id }, makeStep("nope")),
        appError("not_found"),
      );
      await store.transition(
        { orgId: org, envId: ENV, id: execution.id },
        { from: ["queued"], set: { status: "canceled" } },
      );
      await assert.rejects(
        store.updateStep({ orgId: org, envId: ENV, id: execution.id }, makeStep("s1", { status: "passed" })),
        appError("failed_precondition"),
      );
    });

    test("recordLogBytes only raises the count; a missing execution is not_found", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      await store.recordLogBytes({ orgId: org, envId: ENV, id: execution.id }, 100);
      await store.recordLogBytes({ orgId: org, envId: ENV, id: execution.id }, 40);
      await store.recordLogBytes({ orgId: org, envId: ENV, id: execution.id }, 100);
      assert.equal((await store.get({ orgId: org, envId: ENV, id: execution.id }))?.logBytes, 100);
      await Promise.all(
        [300, 200, 500, 400].map((n) =>
          store.recordLogBytes({ orgId: org, envId: ENV, id: execution.id }, n),
        ),
      );
      assert.equal((await store.get({ orgId: org, envId: ENV, id: execution.id }))?.logBytes, 500);
      await assert.rejects(
        store.recordLogBytes({ orgId: org, envId: ENV, id: makeExecution({ orgId: org, envId: ENV }).id }, 1),
        appError("not_found"),
      );
      await assert.rejects(
        store.recordLogBytes({ orgId: org, envId: ENV, id: execution.id }, -1),
        appError("invalid_argument"),
      );
    });

    test("delete removes the execution from reads, lists and the queue", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      assert.equal(await store.delete({ orgId: org, envId: ENV, id: execution.id }), true);
      assert.equal(await store.delete({ orgId: org, envId: ENV, id: execution.id }), false);
      assert.equal(await store.get({ orgId: org, envId: ENV, id: execution.id }), undefined);
      assert.deepEqual((await store.list({ orgId: org, envId: ENV }, {}, { limit: 10 })).items, []);
      assert.deepEqual(await store.listQueued({ orgId: org, envId: ENV }, 10), []);
    });

    test("run numbers count up per workflow and environment, once each under concurrency", async () => {
      const org = uniqueSlug("org");
      const numbers = await Promise.all(
        Array.from({ length: 12 }, () => store.nextRunNumber({ orgId: org, envId: ENV }, "smoke")),
      );
      assert.deepEqual(
        [...numbers].sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      assert.equal(await store.nextRunNumber({ orgId: org, envId: ENV }, "smoke"), 13);
      // Another workflow, environment or organization counts on its own.
      assert.equal(await store.nextRunNumber({ orgId: org, envId: ENV }, "nightly"), 1);
      assert.equal(await store.nextRunNumber({ orgId: org, envId: "prod" }, "smoke"), 1);
      assert.equal(await store.nextRunNumber({ orgId: uniqueSlug("org"), envId: ENV }, "smoke"), 1);
      // A number given back while it is still the last one is handed out again; one given back
      // after a later number was taken stays a gap.
      await store.returnRunNumber({ orgId: org, envId: ENV }, "smoke", 13);
      assert.equal(await store.nextRunNumber({ orgId: org, envId: ENV }, "smoke"), 13);
      assert.equal(await store.nextRunNumber({ orgId: org, envId: ENV }, "smoke"), 14);
      await store.returnRunNumber({ orgId: org, envId: ENV }, "smoke", 13);
      assert.equal(await store.nextRunNumber({ orgId: org, envId: ENV }, "smoke"), 15);
      // The first number given back leaves no counter: the next run is 1 again.
      await store.returnRunNumber({ orgId: org, envId: ENV }, "nightly", 1);
      assert.equal(await store.nextRunNumber({ orgId: org, envId: ENV }, "nightly"), 1);
      // The counter is not an execution: listings are unchanged.
      assert.deepEqual((await store.list({ orgId: org, envId: ENV }, {}, { limit: 10 })).items, []);
    });
  });
};
