/**
 * Protocol tests: a real grpc-js client speaks to the real ingress over TLS on loopback, with
 * the stores on DynamoDB Local and fauxqs. The client is driven message by message, so each
 * rule of docs/protocol.md is checked on the wire.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ExecutionStatus, LogStream, StepStatus } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { connect, passedResult } from "../testing/protocol-client.ts";

const SLEEPY = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: sleepy
spec:
  steps:
    - name: wait
      shell: sleep 30
`;

/** Starts a run of the `sleepy` workflow through the API; resolves with its id. */
const startSleepy = async (plane: TestControlPlane) => {
  const res = await plane.api(`${plane.envPath}/workflows/sleepy/executions`, {
    method: "POST",
    body: "{}",
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
};

describe("agent gateway", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 300 } });
    const put = await plane.api(`${plane.envPath}/workflows/sleepy`, { method: "PUT", body: SLEEPY });
    assert.equal(put.status, 201, await put.text());
  });
  after(async () => {
    await plane?.stop();
  });

  const startRun = () => startSleepy(plane);
  const getExecution = async (id: string) =>
    (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as {
      status: string;
      logBytes: number;
      message?: string;
      steps: Array<{ ref: string; status: string; exitCode?: number }>;
    };

  test("refuses a stream without a valid agent token", async () => {
    for (const token of ["", "asy_agent_nope", plane.apiToken]) {
      const agent = connect(plane, token);
      agent.hello("a-bad");
      const ended = await agent.ended();
      assert.equal(ended?.code, grpc.status.UNAUTHENTICATED);
      agent.close();
    }
  });

  test("refuses an unsupported protocol version and a first message that is not hello", async () => {
    const old = connect(plane, plane.agentToken);
    old.send({
      $case: "hello",
      value: {
        protocolVersion: 99,
        agentId: "a1",
        agentSecret: "",
        instanceId: "",
        agentVersion: "",
        hostname: "",
        platform: "",
        capabilities: [],
        maxConcurrency: 1,
        active: [],
      },
    });
    assert.equal((await old.ended())?.code, grpc.status.FAILED_PRECONDITION);
    old.close();
    const rude = connect(plane, plane.agentToken);
    rude.send({ $case: "heartbeat", value: { sentAtMs: 1, running: 0 } });
    assert.equal((await rude.ended())?.code, grpc.status.FAILED_PRECONDITION);
    rude.close();
  });

  test("delivers work, commits logs by offset, and accepts the result only when the log is complete", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-logs");
    const welcome = await agent.next("welcome");
    assert.equal(welcome.orgId, plane.orgId);
    assert.equal(welcome.heartbeatIntervalMs, 15_000);
    const id = await startRun();
    const run = await agent.next("run");
    assert.equal(run.executionId, id);
    assert.match(run.workflow?.specYaml ?? "", /sleep 30/);
    agent.send({
      $case: "commandAck",
      value: { commandId: run.commandId, executionId: id, accepted: true, reason: "" },
    });
    agent.send({ $case: "started", value: { executionId: id, startedAtMs: Date.now() } });
    const bytes = (s: string) => Buffer.from(s);
    const chunk = (offset: number, data: string, seq: number) =>
      agent.send({
        $case: "logChunk",
        value: {
          executionId: id,
          seq,
          offset,
          stepRef: "r1",
          data: bytes(data),
          stream: LogStream.LOG_STREAM_STDOUT,
        },
      });

    chunk(0, "hello\n", 1);
    assert.equal((await agent.next("logAck")).committedOffset, 6);
    chunk(20, "gap\n", 2); // beyond the committed offset: refused
    assert.equal((await agent.next("logAck")).committedOffset, 6);
    chunk(3, "lo\nworld\n", 3); // overlaps: only the new bytes are stored
    assert.equal((await agent.next("logAck")).committedOffset, 12);
    chunk(0, "hello\n", 4); // a pure duplicate
    assert.equal((await agent.next("logAck")).committedOffset, 12);

    const result = (logBytes: number) =>
      agent.send({
        $case: "result",
        value: {
          executionId: id,
          status: ExecutionStatus.EXECUTION_STATUS_PASSED,
          finishedAtMs: Date.now(),
          logBytes,
          logTruncated: false,
          message: "",
          steps: [
            {
              executionId: id,
              stepRef: "r1",
              status: StepStatus.STEP_STATUS_PASSED,
              startedAtMs: Date.now() - 10,
              finishedAtMs: Date.now(),
              exitCode: 0,
              message: "",
              cpuPeakPercent: 0,
              memoryPeakBytes: 0,
            },
          ],
        },
      });
    result(20);
    const refused = await agent.next("resultAck");
    assert.equal(refused.accepted, false);
    assert.equal(refused.committedOffset, 12);
    result(12);
    assert.equal((await agent.next("resultAck")).accepted, true);

    const execution = await getExecution(id);
    assert.equal(execution.status, "passed");
    assert.equal(execution.logBytes, 12);
    assert.equal(execution.steps[0]?.status, "passed");
    assert.equal(execution.steps[0]?.exitCode, 0);
    const log = await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text();
    assert.equal(log, "hello\nworld\n");
    agent.close();
  });

  test("redelivers an unacknowledged run after a reconnect, and marks a forgotten running one lost", async () => {
    const first = connect(plane, plane.agentToken);
    first.hello("agent-redeliver", [], 1);
    await first.next("welcome");
    const assignedId = await startRun();
    const run = await first.next("run");
    assert.equal(run.executionId, assignedId);
    first.close(); // vanished before acknowledging or starting

    const second = connect(plane, plane.agentToken);
    second.hello("agent-redeliver", [], 1);
    await second.next("welcome");
    const again = await second.next("run");
    assert.equal(again.executionId, assignedId, "the same run is sent again");
    second.send({ $case: "started", value: { executionId: assignedId, startedAtMs: Date.now() } });
    // Wait until the store saw "running", then reconnect claiming nothing: the agent restarted.
    for (let i = 0; i < 50 && (await getExecution(assignedId)).status !== "running"; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    second.close();
    const third = connect(plane, plane.agentToken);
    third.hello("agent-redeliver", [], 0);
    await third.next("welcome");
    let execution = await getExecution(assignedId);
    for (let i = 0; i < 50 && execution.status !== "lost"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      execution = await getExecution(assignedId);
    }
    assert.equal(execution.status, "lost");
    assert.match(execution.message ?? "", /restarted/);
    third.close();
  });

  test("forwards an abort to the agent holding the execution", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-abort", [], 1);
    await agent.next("welcome");
    const id = await startRun();
    await agent.next("run");
    agent.send({ $case: "started", value: { executionId: id, startedAtMs: Date.now() } });
    const res = await plane.api(`${plane.envPath}/executions/${id}/abort`, { method: "POST" });
    assert.equal(res.status, 202);
    const abort = await agent.next("abort");
    assert.equal(abort.executionId, id);
    agent.send({
      $case: "result",
      value: {
        executionId: id,
        status: ExecutionStatus.EXECUTION_STATUS_ABORTED,
        finishedAtMs: Date.now(),
        logBytes: 0,
        logTruncated: false,
        message: "aborted",
        steps: [],
      },
    });
    assert.equal((await agent.next("resultAck")).accepted, true);
    assert.equal((await getExecution(id)).status, "aborted");
    agent.close();
  });

  test("draining: agents are told to reconnect and new streams are refused (runs last)", async () => {
    const agent = connect(plane, plane.agentToken);
    agent.hello("agent-drain", [], 1);
    await agent.next("welcome");
    const drained = plane.gateway.drain();
    const reconnect = await agent.next("reconnect");
    assert.match(reconnect.reason, /draining/);
    const late = connect(plane, plane.agentToken);
    late.hello("agent-late");
    assert.equal((await late.ended())?.code, grpc.status.UNAVAILABLE);
    late.close();
    agent.close();
    await drained;
    assert.equal(plane.gateway.state, "stopped");
  });
});

describe("agent gateway: doorbells that offer an execution (no sweep)", () => {
  let plane: TestControlPlane;
  before(async () => {
    // A sweep that never comes: only doorbells (and finished work) deliver runs here.
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 3_600_000 } });
    const put = await plane.api(`${plane.envPath}/workflows/sleepy`, { method: "PUT", body: SLEEPY });
    assert.equal(put.status, 201, await put.text());
  });
  after(async () => {
    await plane?.stop();
  });

  const startRun = () => startSleepy(plane);
  const finish = (agent: ReturnType<typeof connect>, executionId: string) =>
    agent.send(passedResult(executionId));
  /** Waits until `count` run commands arrived in total across the agents, then a little longer. */
  const runsOf = async (agents: Array<ReturnType<typeof connect>>, count: number) => {
    const got: Array<{ agent: number; executionId: string }> = [];
    const deadline = Date.now() + 10_000;
    while (got.length < count && Date.now() < deadline) {
      await Promise.all(
        agents.map(async (a, i) => {
          const run = await a.next("run", 200).catch(() => undefined);
          if (run) got.push({ agent: i, executionId: run.executionId });
        }),
      );
    }
    // Anything beyond `count` would be a duplicate delivery.
    await Promise.all(
      agents.map(async (a, i) => {
        const extra = await a.next("run", 500).catch(() => undefined);
        if (extra) got.push({ agent: i, executionId: extra.executionId });
      }),
    );
    return got;
  };

  test("each new run goes to exactly one agent with room; a full agent is skipped; the rest waits", async () => {
    const a = connect(plane, plane.agentToken);
    const b = connect(plane, plane.agentToken);
    a.hello("offer-a", [], 1);
    b.hello("offer-b", [], 1);
    await a.next("welcome");
    await b.next("welcome");

    const first = await startRun();
    const [one] = await runsOf([a, b], 1);
    assert.equal(one?.executionId, first);
    const second = await startRun();
    const [two, ...more] = await runsOf([a, b], 1);
    assert.deepEqual(more, [], "the second run was delivered once");
    assert.equal(two?.executionId, second);
    assert.notEqual(two?.agent, one?.agent, "the agent already holding a run was skipped");

    // Both agents are full: the third run stays queued until one of them finishes.
    const third = await startRun();
    assert.deepEqual(await runsOf([a, b], 0), []);
    const firstHolder = one?.agent === 0 ? a : b;
    finish(firstHolder, first);
    assert.equal((await firstHolder.next("resultAck")).accepted, true);
    const next = await firstHolder.next("run");
    assert.equal(next.executionId, third);
    a.close();
    b.close();
  });
});
