/**
 * The agent link's rules on the wire (issue 15, items 2, 7, 13 and 15): finished runs cannot be
 * changed, a result from a non-holder is refused, offsets never cross tenants, settlement and log
 * traffic renew leases, and a refused run is not offered straight back.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { ExecutionStatus, LogStream } from "@assay/shared/proto";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { connect } from "../testing/protocol-client.ts";
import { putSleepy, settleRuns, startSleepy } from "../testing/sleepy-runs.ts";

type Agent = ReturnType<typeof connect>;

describe("agent link rules", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 300 } });
    await putSleepy(plane);
  });
  after(async () => {
    await plane?.stop();
  });
  afterEach(() => settleRuns(plane));

  const startRun = () => startSleepy(plane);
  const stored = (id: string) =>
    plane.core.ports.executions.get({ orgId: plane.orgId, envId: plane.envId, id });
  const chunk = (agent: Agent, id: string, offset: number, text: string) =>
    agent.send({
      $case: "logChunk",
      value: {
        executionId: id,
        seq: offset + 1,
        offset,
        stepRef: "r1",
        data: Buffer.from(text),
        stream: LogStream.LOG_STREAM_STDOUT,
      },
    });
  const result = (agent: Agent, id: string, logBytes: number) =>
    agent.send({
      $case: "result",
      value: {
        executionId: id,
        status: ExecutionStatus.EXECUTION_STATUS_PASSED,
        logBytes,
        message: "",
        steps: [],
        logTruncated: false,
        finishedAtMs: Date.now(),
      },
    });
  /** An agent that said hello and runs one new execution; resolves with both. */
  const running = async (agentId: string) => {
    const agent = connect(plane, plane.agentToken);
    agent.hello(agentId, [], 1);
    await agent.next("welcome");
    const id = await startRun();
    assert.equal((await agent.next("run")).executionId, id);
    agent.send({ $case: "started", value: { executionId: id, startedAtMs: Date.now() } });
    return { agent, id };
  };

  test("a finished execution takes no more log chunks or artifact bundles", async () => {
    const { agent, id } = await running("agent-done");
    chunk(agent, id, 0, "all of it\n");
    assert.equal((await agent.next("logAck")).committedOffset, 10);
    result(agent, id, 10);
    assert.equal((await agent.next("resultAck")).accepted, true);
    chunk(agent, id, 10, "late output\n");
    const late = await agent.next("logAck");
    assert.deepEqual([late.committedOffset, late.limitReached, late.limitBytes], [10, true, 10]);
    assert.equal(
      await plane.core.logs.committedOffset({ orgId: plane.orgId, envId: plane.envId, id }),
      10,
      "nothing stored",
    );
    agent.send({
      $case: "artifactUpload",
      value: {
        executionId: id,
        bundleId: "r1",
        stepRef: "r1",
        sizeBytes: 100,
        uploadId: "",
        partNumbers: [],
      },
    });
    const grant = await agent.next("artifactGrant");
    assert.match(grant.error, /already finished \(passed\)/);
    assert.equal(grant.putUrl, "");
    agent.close();
  });

  test("a result from an agent that does not hold the execution is refused, to be dropped", async () => {
    const { agent, id } = await running("agent-holder");
    const intruder = connect(plane, plane.agentToken);
    intruder.hello("agent-intruder", [], 1);
    await intruder.next("welcome");
    result(intruder, id, 0);
    const ack = await intruder.next("resultAck");
    assert.deepEqual([ack.accepted, ack.discard], [false, true]);
    assert.match(ack.reason, /not held by this agent/);
    assert.equal((await stored(id))?.status, "running", "the holder's run goes on");
    intruder.close();
    agent.close();
  });

  test("an agent of another environment learns nothing of a foreign execution's log", async () => {
    const { agent, id } = await running("agent-home");
    chunk(agent, id, 0, "secret length\n");
    assert.equal((await agent.next("logAck")).committedOffset, 14);
    const env = await plane.api(`/v1/orgs/${plane.orgId}/envs`, {
      method: "POST",
      body: JSON.stringify({ id: "other" }),
    });
    assert.equal(env.status, 201, await env.clone().text());
    const made = await plane.api(`/v1/orgs/${plane.orgId}/envs/other/agent-tokens`, {
      method: "POST",
      body: JSON.stringify({ name: "other" }),
    });
    const { secret } = (await made.json()) as { secret: string };
    const stranger = connect(plane, secret);
    stranger.hello("agent-stranger", [{ executionId: id, logBytes: 0, finished: false }], 1);
    const welcome = await stranger.next("welcome");
    assert.deepEqual(
      welcome.committed.map((c) => [c.executionId, c.committedOffset]),
      [[id, 0]],
    );
    stranger.close();
    agent.close();
  });

  test("reconnect settlement and log traffic renew the lease", async () => {
    const { agent, id } = await running("agent-lease");
    const shorten = () =>
      plane.core.ports.executions.transition(
        { orgId: plane.orgId, envId: plane.envId, id },
        {
          from: ["assigned", "running"],
          set: { leaseExpiresAtMs: Date.now() + 1_000 },
        },
      );
    const leaseLeftMs = async () => ((await stored(id))?.leaseExpiresAtMs ?? 0) - Date.now();
    await shorten();
    chunk(agent, id, 0, "streaming\n");
    await agent.next("logAck");
    assert.ok((await leaseLeftMs()) > 30_000, "a log chunk renewed it");
    agent.close();
    await shorten();
    const back = connect(plane, plane.agentToken);
    back.hello("agent-lease", [{ executionId: id, logBytes: 10, finished: false }], 1);
    await back.next("welcome");
    for (let i = 0; i < 100 && (await leaseLeftMs()) < 30_000; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok((await leaseLeftMs()) > 30_000, "settlement renewed it");
    back.close();
  });

  test("a refused run is not offered back to the same agent at once", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-picky", [], 1);
    await agent.next("welcome");
    const id = await startRun();
    const run = await agent.next("run");
    agent.send({
      $case: "commandAck",
      value: { commandId: run.commandId, executionId: id, accepted: false, reason: "at capacity" },
    });
    // Sweeps every 300 ms would offer it again at once; the refusal holds it back for a second.
    await assert.rejects(agent.next("run", 700), /no run within/);
    assert.equal((await agent.next("run")).executionId, id, "offered again later");
    agent.close();
  });
});
