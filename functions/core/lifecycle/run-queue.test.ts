/**
 * The plan's run limits with a real agent on the wire (issue 15, items 15 and 16): runs beyond
 * the plan's concurrency wait queued and start as slots free; holds left by a process that died
 * are repaired; an agent that vanished before starting a run gives it back to the queue; a
 * lost execution keeps the length of the log it stored.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { ExecutionStatus, LogStream } from "@assay/shared/proto";
import { ulid } from "ulid";
import { startTestControlPlane, type TestControlPlane } from "../../testing/harness.ts";
import { connect } from "../../testing/protocol-client.ts";
import { putSleepy, settleRuns, startSleepy } from "../../testing/sleepy-runs.ts";
import { internalPrincipal } from "../access.ts";

describe("run queue and lifecycle settlement", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 300 } });
    await putSleepy(plane);
  });
  after(async () => {
    await plane?.stop();
  });

  const startRun = () => startSleepy(plane);
  const execution = (id: string) =>
    plane.core.executions.get(internalPrincipal(plane.orgId, "test"), {
      orgId: plane.orgId,
      envId: plane.envId,
      id,
    });
  afterEach(() => settleRuns(plane));
  const expireLease = (id: string) =>
    plane.core.ports.executions.transition(
      { orgId: plane.orgId, envId: plane.envId, id },
      {
        from: ["assigned", "running"],
        set: { leaseExpiresAtMs: Date.now() - 1_000 },
      },
    );
  const finish = (agent: ReturnType<typeof connect>, id: string) =>
    agent.send({
      $case: "result",
      value: {
        executionId: id,
        status: ExecutionStatus.EXECUTION_STATUS_PASSED,
        logBytes: 0,
        message: "",
        steps: [],
        logTruncated: false,
        finishedAtMs: Date.now(),
      },
    });

  test("runs beyond the plan's concurrency wait queued and start as slots free", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-wide", [], 10);
    await agent.next("welcome");
    // The free plan holds 5 runs at a time: 7 runs are all accepted, 5 reach the agent.
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await startRun());
    const delivered = new Set<string>();
    for (let i = 0; i < 5; i++) delivered.add((await agent.next("run")).executionId);
    await assert.rejects(agent.next("run", 1_500), /no run within/);
    const waiting = ids.filter((id) => !delivered.has(id));
    assert.deepEqual(
      (await Promise.all(waiting.map(execution))).map((e) => e.status),
      ["queued", "queued"],
    );
    // One finishes: the oldest waiting run starts in its slot.
    finish(agent, [...delivered][0] ?? "");
    assert.equal((await agent.next("resultAck")).accepted, true);
    assert.equal((await agent.next("run")).executionId, waiting[0]);
    agent.close();
  });

  test("run slots held for executions that were never stored are repaired", async () => {
    // A process that died between taking a hold and storing its execution leaves these behind.
    const old = Date.now() - 5 * 60_000;
    for (let i = 0; i < 5; i++) {
      await plane.core.ports.tenancy.runSlots.acquire(
        plane.orgId,
        "running",
        `${plane.envId}/${ulid(old)}`,
        5,
      );
    }
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-repair", [], 2);
    await agent.next("welcome");
    const id = await startRun();
    assert.equal((await agent.next("run")).executionId, id);
    agent.close();
  });

  test("a run offered before its record is stored is claimed once the record is there", async () => {
    // The API rings a run's doorbell while it writes the record: the claim waits for it.
    const id = ulid();
    const ref = { orgId: plane.orgId, envId: plane.envId, id };
    const claim = plane.core.work.claimOffered(ref, "agent-early");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = await plane.core.executions.start(
      internalPrincipal(plane.orgId, "test"),
      { orgId: plane.orgId, envId: plane.envId },
      "sleepy",
      { id, config: {}, tags: {} },
    );
    assert.equal(started.id, id);
    const claimed = await claim;
    assert.equal(claimed?.status, "assigned");
    assert.equal(claimed?.agentId, "agent-early");
    assert.ok(
      (await plane.core.ports.tenancy.runSlots.holders(plane.orgId, "running")).includes(
        `${plane.envId}/${id}`,
      ),
    );
  });

  test("a run offered whose record never appears gives its run slot back", async () => {
    const id = ulid();
    const claimed = await plane.core.work.claimOffered(
      { orgId: plane.orgId, envId: plane.envId, id },
      "agent-early",
    );
    assert.equal(claimed, undefined);
    const holders = await plane.core.ports.tenancy.runSlots.holders(plane.orgId, "running");
    assert.equal(holders.includes(`${plane.envId}/${id}`), false);
  });

  test("a run claimed by an agent that vanished before starting it goes back to the queue", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-vanishing", [], 1);
    await agent.next("welcome");
    const id = await startRun();
    assert.equal((await agent.next("run")).executionId, id);
    agent.close();
    await expireLease(id);
    await plane.core.reaper.reap();
    const requeued = await execution(id);
    assert.equal(requeued.status, "queued");
    assert.equal(requeued.agentId, undefined);
    const other = connect(plane, plane.agentToken);
    other.hello("agent-rescuer", [], 1);
    await other.next("welcome");
    assert.equal((await other.next("run")).executionId, id);
    other.close();
  });

  test("a lost execution shows the length of the log it stored", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-lossy", [], 1);
    await agent.next("welcome");
    const id = await startRun();
    await agent.next("run");
    agent.send({ $case: "started", value: { executionId: id, startedAtMs: Date.now() } });
    agent.send({
      $case: "logChunk",
      value: {
        executionId: id,
        seq: 1,
        offset: 0,
        stepRef: "r1",
        data: Buffer.from("eleven bytes"),
        stream: LogStream.LOG_STREAM_STDOUT,
      },
    });
    assert.equal((await agent.next("logAck")).committedOffset, 12);
    agent.close();
    await expireLease(id);
    await plane.core.reaper.reap();
    const lost = await execution(id);
    assert.equal(lost.status, "lost");
    assert.equal(lost.logBytes, 12);
  });
});
