/**
 * The ExecutionStore contract, the lifecycle's writes: the queue, claims and conditional
 * transitions, executions held by an agent, and leases. Every implementation registers these
 * cases with its own factory, beside execution-store.contract.ts.
 * Each case works in its own fresh organization, so cases can share one backend.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Execution } from "@assay/shared";
import type { ExecutionStore } from "../ports.ts";
import { appError, claimExecution, createExecutions, makeExecution, uniqueSlug } from "./fixtures.ts";

const ENV = "staging";

/** Registers the cases under `name`; `make` is called once, before the cases. */
export const runExecutionLifecycleContract = (
  name: string,
  make: () => ExecutionStore | Promise<ExecutionStore>,
): void => {
  describe(`ExecutionStore lifecycle contract: ${name}`, () => {
    let store: ExecutionStore;
    before(async () => {
      store = await make();
    });

    const createMany = (orgId: string, count: number, overrides: Partial<Execution> = {}) =>
      createExecutions(store, { orgId, envId: ENV }, count, overrides);
    const claim = (orgId: string, id: string, agentId: string) =>
      claimExecution(store, { orgId, envId: ENV, id }, agentId);

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
  });
};
