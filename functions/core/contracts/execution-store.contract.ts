/**
 * The ExecutionStore contract: every implementation registers these cases with its own factory.
 * Each case works in its own fresh organization, so cases can share one backend.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Execution } from "@assay/shared";
import type { ExecutionStore } from "../ports.ts";
import { appError, makeExecution, makeStep, uniqueSlug } from "./fixtures.ts";

const ENV = "staging";

/** Registers the ExecutionStore cases under `name`; `make` is called once, before the cases. */
export const runExecutionStoreContract = (
  name: string,
  make: () => ExecutionStore | Promise<ExecutionStore>,
): void => {
  describe(`ExecutionStore contract: ${name}`, () => {
    let store: ExecutionStore;
    before(async () => {
      store = await make();
    });

    const createMany = async (orgId: string, count: number, overrides: Partial<Execution> = {}) => {
      const created: Execution[] = [];
      for (let i = 0; i < count; i++) {
        const execution = makeExecution({ orgId, envId: ENV }, overrides);
        await store.create(execution);
        created.push(execution);
      }
      return created;
    };

    const claim = (orgId: string, id: string, agentId: string) =>
      store.transition(
        { orgId, envId: ENV, id },
        {
          from: ["queued"],
          set: {
            status: "assigned",
            agentId,
            assignedAt: "2026-01-01T00:00:01.000Z",
            leaseExpiresAtMs: 1_000,
          },
        },
      );

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

    test("the queue lists queued work oldest first, and a claimed execution leaves it", async () => {
      const org = uniqueSlug("org");
      const created = await createMany(org, 3);
      const ids = created.map((e) => e.id);
      assert.deepEqual(
        (await store.listQueued({ orgId: org, envId: ENV }, 10)).map((e) => e.id),
        ids,
      );
      assert.deepEqual(
        (await store.listQueued({ orgId: org, envId: ENV }, 2)).map((e) => e.id),
        ids.slice(0, 2),
      );
      const [oldest] = ids;
      assert.ok(oldest);
      assert.equal((await claim(org, oldest, "agent-1"))?.status, "assigned");
      assert.deepEqual(
        (await store.listQueued({ orgId: org, envId: ENV }, 10)).map((e) => e.id),
        ids.slice(1),
      );
      assert.deepEqual(await store.listQueued({ orgId: uniqueSlug("org"), envId: ENV }, 10), []);

      // Released work (agent cleared) goes back to the queue, in its original place.
      const released = await store.transition(
        { orgId: org, envId: ENV, id: oldest },
        {
          from: ["assigned"],
          agentId: "agent-1",
          set: { status: "queued", agentId: undefined, assignedAt: undefined, leaseExpiresAtMs: undefined },
        },
      );
      assert.equal(released?.agentId, undefined);
      assert.equal(released?.assignedAt, undefined);
      assert.deepEqual(
        (await store.listQueued({ orgId: org, envId: ENV }, 10)).map((e) => e.id),
        ids,
      );
      assert.deepEqual(await store.listActiveForAgent({ orgId: org, envId: ENV }, "agent-1"), []);
    });

    test("executions held by an agent are listed while assigned or running only", async () => {
      const org = uniqueSlug("org");
      const [a, b, c] = await createMany(org, 3);
      assert.ok(a && b && c);
      await claim(org, a.id, "agent-1");
      await claim(org, b.id, "agent-1");
      await claim(org, c.id, "agent-2");
      const running = await store.transition(
        { orgId: org, envId: ENV, id: b.id },
        {
          from: ["assigned"],
          agentId: "agent-1",
          set: { status: "running", startedAt: "2026-01-01T00:00:02.000Z" },
        },
      );
      assert.equal(running?.status, "running");
      const held = async (agent: string) =>
        (await store.listActiveForAgent({ orgId: org, envId: ENV }, agent)).map((e) => e.id).sort();
      assert.deepEqual(await held("agent-1"), [a.id, b.id].sort());
      assert.deepEqual(await held("agent-2"), [c.id]);

      await store.transition(
        { orgId: org, envId: ENV, id: b.id },
        {
          from: ["running"],
          agentId: "agent-1",
          set: { status: "passed", finishedAt: "2026-01-01T00:00:03.000Z", leaseExpiresAtMs: undefined },
        },
      );
      assert.deepEqual(await held("agent-1"), [a.id]);
      assert.deepEqual(
        await store.listActiveForAgent({ orgId: uniqueSlug("org"), envId: ENV }, "agent-1"),
        [],
      );
    });

    test("transitions apply only from the listed statuses and for the holding agent", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      const { id } = execution;
      assert.equal(
        await store.transition(
          { orgId: org, envId: ENV, id },
          { from: ["running"], set: { status: "passed" } },
        ),
        undefined,
      );
      const assigned = await claim(org, id, "agent-1");
      assert.equal(assigned?.agentId, "agent-1");
      assert.equal(assigned?.leaseExpiresAtMs, 1_000);
      assert.equal(await claim(org, id, "agent-2"), undefined, "a second claim loses");
      const wrongAgent = await store.transition(
        { orgId: org, envId: ENV, id },
        {
          from: ["assigned"],
          agentId: "agent-2",
          set: { status: "running" },
        },
      );
      assert.equal(wrongAgent, undefined);
      const renewed = await store.transition(
        { orgId: org, envId: ENV, id },
        {
          from: ["assigned", "running"],
          agentId: "agent-1",
          set: { leaseExpiresAtMs: 2_000 },
        },
      );
      assert.equal(renewed?.status, "assigned");
      assert.equal(renewed?.leaseExpiresAtMs, 2_000);
      const lost = await store.transition(
        { orgId: org, envId: ENV, id },
        {
          from: ["assigned", "running"],
          set: { status: "lost", message: "agent vanished", leaseExpiresAtMs: undefined },
        },
      );
      assert.equal(lost?.status, "lost");
      assert.equal(lost?.leaseExpiresAtMs, undefined);
      assert.deepEqual(await store.get({ orgId: org, envId: ENV, id }), lost);
      assert.equal(
        await store.transition(
          { orgId: org, envId: ENV, id: makeExecution({ orgId: org, envId: ENV }).id },
          {
            from: ["queued"],
            set: { status: "canceled" },
          },
        ),
        undefined,
        "a missing execution transitions to nothing",
      );
    });

    test("concurrent claims of one execution have exactly one winner", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      const results = await Promise.all(
        ["a", "b", "c", "d", "e"].map((agent) => claim(org, execution.id, `agent-${agent}`)),
      );
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      assert.equal(
        (await store.get({ orgId: org, envId: ENV, id: execution.id }))?.agentId,
        winners[0]?.agentId,
      );
    });

    test("transitions reject identity fields and invalid values", async () => {
      const org = uniqueSlug("org");
      const [execution] = await createMany(org, 1);
      assert.ok(execution);
      const attempt = (set: Record<string, unknown>) =>
        store.transition(
          { orgId: org, envId: ENV, id: execution.id },
          { from: ["queued"], set: set as never },
        );
      await assert.rejects(attempt({ orgId: "other" }), appError("invalid_argument"));
      await assert.rejects(attempt({ status: "exploded" }), appError("invalid_argument"));
      await assert.rejects(attempt({ status: undefined }), appError("invalid_argument"));
      await assert.rejects(
        store.transition(
          { orgId: org, envId: ENV, id: execution.id },
          { from: [], set: { status: "canceled" } },
        ),
        appError("invalid_argument"),
      );
      assert.equal((await store.get({ orgId: org, envId: ENV, id: execution.id }))?.status, "queued");
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

    test("expired leases are listed oldest first; renewal, loss and completion leave the list", async () => {
      const org = uniqueSlug("org");
      const [a, b, c, d] = await createMany(org, 4);
      assert.ok(a && b && c && d);
      const hold = (id: string, lease: number) =>
        store.transition(
          { orgId: org, envId: ENV, id },
          {
            from: ["queued"],
            set: { status: "assigned", agentId: "agent-l", leaseExpiresAtMs: lease },
          },
        );
      await hold(a.id, 5_000);
      await hold(b.id, 2_000);
      await hold(c.id, 4_000_000_000_000);
      await hold(d.id, 3_000);
      const mine = async () =>
        (await store.listExpiredLeases(9_000, 1_000)).filter((r) => r.orgId === org).map((r) => r.id);
      assert.deepEqual(await mine(), [b.id, d.id, a.id]);

      const renewed = await store.transition(
        { orgId: org, envId: ENV, id: a.id },
        {
          from: ["assigned", "running"],
          set: { leaseExpiresAtMs: 4_000_000_000_000 },
        },
      );
      assert.ok(renewed);
      assert.deepEqual(await mine(), [b.id, d.id]);
      const lostTooLate = await store.transition(
        { orgId: org, envId: ENV, id: a.id },
        {
          from: ["assigned", "running"],
          leaseExpiredBeforeMs: 9_000,
          set: { status: "lost" },
        },
      );
      assert.equal(lostTooLate, undefined, "a renewed lease is not reaped");
      const lost = await store.transition(
        { orgId: org, envId: ENV, id: b.id },
        {
          from: ["assigned", "running"],
          leaseExpiredBeforeMs: 9_000,
          set: { status: "lost", leaseExpiresAtMs: undefined },
        },
      );
      assert.equal(lost?.status, "lost");
      await store.transition(
        { orgId: org, envId: ENV, id: d.id },
        {
          from: ["assigned"],
          set: { status: "passed", leaseExpiresAtMs: undefined },
        },
      );
      assert.deepEqual(await mine(), []);
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
