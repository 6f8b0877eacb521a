import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { ExecutionStatus, PROTOCOL_VERSION, type RunCommand, StepStatus } from "@assay/shared/proto";
import { status } from "@grpc/grpc-js";
import type { PlanSpec } from "../runner/run-execution.ts";
import { step } from "../runner/test-support.ts";
import type { RunnerStep } from "../runner/types.ts";
import { type AgentHandle, startAgent } from "./agent.ts";
import type { AgentOptions } from "./options.ts";
import { startTestGateway, type TestGateway } from "./test-gateway.ts";

/** Test specs are JSON lists of steps; the shared YAML planner has its own tests. */
const jsonPlan: PlanSpec = (specYaml) => {
  const steps = (JSON.parse(specYaml) as Partial<RunnerStep>[]).map((s, i) => step(s.ref ?? `s${i}`, s));
  return { ok: true, plan: { steps, unsupported: [] } };
};

let dir: string;
let gateway: TestGateway;
let agents: AgentHandle[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "assay-agent-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(agents.map((a) => a.stop("test over")));
  agents = [];
  await gateway?.close();
});

const lines: string[] = [];
const start = async (extra: Partial<AgentOptions> = {}) => {
  const agent = await startAgent({
    url: gateway.url,
    token: "asy_agent_test",
    caFile: gateway.caFile,
    stateDir: join(dir, "state"),
    workDir: join(dir, "work"),
    planSpec: jsonPlan,
    backoff: { baseMs: 20, maxMs: 200 },
    flushIntervalMs: 10,
    killGraceMs: 300,
    stopTimeoutMs: 3000,
    flushTimeoutMs: 3000,
    logger: {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(`warn: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
    },
    ...extra,
  });
  agents.push(agent);
  return agent;
};

let commandSeq = 0;
const runCommand = (executionId: string, steps: Partial<RunnerStep>[], extra: Partial<RunCommand> = {}) => ({
  kind: {
    $case: "run" as const,
    value: {
      commandId: `c${++commandSeq}`,
      executionId,
      workflowName: "smoke",
      workflow: { specYaml: JSON.stringify(steps), warnings: [] },
      config: {},
      sensitive: [],
      queuedAtMs: Date.now(),
      committedLogOffset: 0,
      number: 0,
      organizationId: "",
      environmentId: "",
      dashboardUrl: "",
      ...extra,
    },
  },
});

/** The exact output of `seq`-style numbered lines, to compare logs byte for byte. */
const numbered = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join("");
const chatty = (n: number, sleep = "0.002") =>
  `i=1; while [ $i -le ${n} ]; do echo "line $i"; i=$((i+1)); sleep ${sleep}; done`;

describe("agent daemon against a real TLS gateway", () => {
  it("registers once, says Hello with the issued identity and becomes ready on Welcome", async () => {
    gateway = await startTestGateway();
    const agent = await start({ concurrency: 3, hostname: "box-1" });
    await gateway.waitFor("a session", () => agent.state() === "ready");
    const hello = gateway.sessions[0]?.hello;
    assert.equal(hello?.protocolVersion, PROTOCOL_VERSION);
    assert.equal(hello?.agentId, agent.agentId);
    assert.equal(hello?.hostname, "box-1");
    assert.equal(hello?.maxConcurrency, 3);
    assert.deepEqual(hello?.capabilities, ["runner.process", "logs.offsets"]);
    const kept = JSON.parse(await readFile(join(dir, "state", "identity.json"), "utf8"));
    assert.equal(kept.agentId, agent.agentId);
    assert.equal(hello?.agentSecret, gateway.issued.get(agent.agentId));
    assert.match(hello?.instanceId ?? "", /^i_[0-9a-f]{24}$/);
    await agent.stop();
    const again = await start();
    await gateway.waitFor("a second session", () => again.state() === "ready");
    assert.equal(again.agentId, kept.agentId, "the identity survives restarts");
    assert.equal(gateway.issued.size, 1, "registered once");
    assert.notEqual(
      gateway.sessions[1]?.hello.instanceId,
      hello?.instanceId,
      "a new process, a new instance",
    );
  });

  it("registers anew when its state directory was copied from another host, or the identity is unknown", async () => {
    gateway = await startTestGateway();
    const first = await start({ hostFingerprint: "host-a" });
    await gateway.waitFor("a session", () => first.state() === "ready");
    await first.stop();
    const copy = await start({ hostFingerprint: "host-b" });
    await gateway.waitFor("the copy's session", () => copy.state() === "ready");
    assert.notEqual(copy.agentId, first.agentId, "the copy on another host has its own id");
    await copy.stop();
    // The control plane forgot the identity: the agent registers again instead of giving up.
    gateway.issued.delete(copy.agentId);
    const forgotten = await start({ hostFingerprint: "host-b" });
    await gateway.waitFor("a session after registering again", () => forgotten.state() === "ready");
    assert.equal(gateway.issued.size, 2);
    assert.notEqual(forgotten.agentId, copy.agentId);
  });

  it("runs a command once, streams step updates and logs, and delivers the result", async () => {
    gateway = await startTestGateway();
    const marker = join(dir, "ran-once");
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    const command = runCommand("E1", [
      { ref: "a", shell: `echo ran >> ${marker}; echo hello` },
      { ref: "b", shell: "exit 4" },
    ]);
    gateway.live()?.send(command);
    gateway.live()?.send(command);
    await gateway.waitFor("the result", () => gateway.results.has("E1"));
    assert.deepEqual(
      gateway.acks.map((a) => [a.executionId, a.accepted]),
      [
        ["E1", true],
        ["E1", true],
      ],
    );
    assert.equal((await readFile(marker, "utf8")).trim(), "ran", "the duplicate did not run again");
    const result = gateway.results.get("E1");
    assert.equal(result?.status, ExecutionStatus.EXECUTION_STATUS_FAILED);
    assert.equal(result?.logBytes, gateway.logs.get("E1")?.length);
    assert.equal(gateway.logs.get("E1")?.toString(), "hello\n");
    const b = gateway.stepUpdates.filter((u) => u.stepRef === "b").map((u) => [u.status, u.exitCode]);
    assert.deepEqual(b, [
      [StepStatus.STEP_STATUS_RUNNING, -1],
      [StepStatus.STEP_STATUS_FAILED, 4],
    ]);
    // A redelivery after the result was acknowledged still does not run it again.
    gateway.live()?.send(command);
    await gateway.waitFor("the third ack", () => gateway.acks.length === 3);
    assert.equal((await readFile(marker, "utf8")).trim(), "ran");
  });

  it("a restarted agent refuses a duplicate of a run it already finished (ids kept in the state dir)", async () => {
    gateway = await startTestGateway();
    const marker = join(dir, "ran-across-restart");
    const command = runCommand("E10", [{ ref: "a", shell: `echo ran >> ${marker}` }]);
    const first = await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(command);
    await gateway.waitFor("the result", () => gateway.results.has("E10"));
    await first.stop("restart");
    agents = agents.filter((a) => a !== first);
    await start();
    await gateway.waitFor(
      "a new session",
      () => gateway.sessions.length === 2 && gateway.live() !== undefined,
    );
    gateway.live()?.send(command);
    await gateway.waitFor("the ack", () => gateway.acks.length === 2);
    assert.equal(gateway.acks[1]?.reason, "already received");
    assert.equal((await readFile(marker, "utf8")).trim(), "ran", "it ran once");
    assert.ok(lines.some((l) => /E10: already ran on this agent/.test(l)));
  });

  it("refuses work beyond its concurrency", async () => {
    gateway = await startTestGateway();
    await start({ concurrency: 1 });
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(runCommand("E2", [{ shell: "sleep 0.3" }]));
    gateway.live()?.send(runCommand("E3", [{ shell: "true" }]));
    await gateway.waitFor("two acks", () => gateway.acks.length === 2);
    assert.equal(gateway.acks[1]?.accepted, false);
    assert.match(gateway.acks[1]?.reason ?? "", /capacity/);
    await gateway.waitFor("E2's result", () => gateway.results.has("E2"));
  });

  it("declares a silent stream dead and reconnects, resending unacknowledged log from committed", async () => {
    gateway = await startTestGateway({ heartbeatIntervalMs: 100, deadAfterMs: 400 });
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(runCommand("E4", [{ ref: "a", shell: chatty(150) }]));
    await gateway.waitFor("some log", () => (gateway.logs.get("E4")?.length ?? 0) > 200);
    gateway.live()?.silence(); // a half-open path: nothing stored, nothing acknowledged, no heartbeats
    await gateway.waitFor("a second session", () => gateway.sessions.length === 2, 5000);
    const hello = gateway.sessions[1]?.hello;
    assert.equal(hello?.active[0]?.executionId, "E4");
    await gateway.waitFor("the result", () => gateway.results.has("E4"), 10_000);
    assert.equal(gateway.logs.get("E4")?.toString(), numbered(150), "no byte lost or repeated");
    assert.ok(lines.some((l) => /no traffic from the control plane/.test(l)));
  });

  it("survives repeated stream failures mid-run without losing or repeating a byte", async () => {
    gateway = await startTestGateway();
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(
      runCommand("E5", [
        { ref: "a", shell: chatty(300, "0.001") },
        { ref: "b", shell: "echo done" },
      ]),
    );
    for (let cut = 1; cut <= 3; cut++) {
      await gateway.waitFor(
        `session ${cut}`,
        () => gateway.sessions.length === cut && gateway.live() !== undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 60));
      gateway.live()?.fail(status.UNAVAILABLE, "draining");
    }
    await gateway.waitFor("the result", () => gateway.results.has("E5"), 10_000);
    assert.equal(gateway.logs.get("E5")?.toString(), `${numbered(300)}done\n`);
    assert.equal(gateway.results.get("E5")?.status, ExecutionStatus.EXECUTION_STATUS_PASSED);
  });

  it("resends after the server refuses a gap, and resends before a refused result", async () => {
    gateway = await startTestGateway();
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway
      .live()
      ?.send(runCommand("E6", [{ ref: "a", shell: "echo one; sleep 0.1; echo two; sleep 0.1; echo three" }]));
    await gateway.waitFor("the first chunk", () => (gateway.logs.get("E6")?.length ?? 0) > 0);
    gateway.settings.holdAcks = true;
    const storedBefore = gateway.logs.get("E6")?.length ?? 0;
    await gateway.waitFor("a second chunk", () => (gateway.receivedBytes.get("E6") ?? 0) > storedBefore);
    // Forget the second chunk, as if it never arrived: the next chunk is a gap.
    gateway.logs.set("E6", Buffer.from(gateway.logs.get("E6")?.subarray(0, storedBefore) ?? ""));
    gateway.settings.holdAcks = false;
    await gateway.waitFor("the result", () => gateway.results.has("E6"), 5000);
    assert.equal(gateway.logs.get("E6")?.toString(), "one\ntwo\nthree\n");
    assert.ok(gateway.refusals.length > 0, "the gap or the early result was refused");
  });

  it("stops shipping when the server says the log reached its size limit", async () => {
    gateway = await startTestGateway({ logLimitBytes: 100 });
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(runCommand("E9", [{ ref: "a", shell: chatty(100, "0.001") }]));
    await gateway.waitFor("the result", () => gateway.results.has("E9"), 5000);
    const result = gateway.results.get("E9");
    assert.equal(result?.logTruncated, true);
    assert.equal(result?.logBytes, 100);
    assert.equal(gateway.logs.get("E9")?.toString(), numbered(100).slice(0, 100));
    assert.equal(result?.status, ExecutionStatus.EXECUTION_STATUS_PASSED);
  });

  it("aborts a running execution: process group killed, result ABORTED", async () => {
    gateway = await startTestGateway();
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(
      runCommand("E7", [
        { ref: "a", shell: "echo start; sleep 30" },
        { ref: "b", shell: "echo never" },
      ]),
    );
    await gateway.waitFor("output", () => gateway.logs.get("E7")?.toString() === "start\n");
    gateway
      .live()
      ?.send({ kind: { $case: "abort", value: { commandId: "x1", executionId: "E7", reason: "user" } } });
    gateway
      .live()
      ?.send({ kind: { $case: "abort", value: { commandId: "x2", executionId: "NOPE", reason: "?" } } });
    await gateway.waitFor("the result", () => gateway.results.has("E7"), 5000);
    assert.equal(gateway.results.get("E7")?.status, ExecutionStatus.EXECUTION_STATUS_ABORTED);
    assert.ok(gateway.acks.some((a) => a.commandId === "x2" && a.accepted));
    const final = gateway.results.get("E7")?.steps.map((s) => [s.stepRef, s.status]);
    assert.deepEqual(final, [
      ["a", StepStatus.STEP_STATUS_ABORTED],
      ["b", StepStatus.STEP_STATUS_SKIPPED],
    ]);
  });

  it("honours Reconnect and rotates streams at their maximum age", async () => {
    gateway = await startTestGateway();
    await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    const asked = Date.now();
    gateway.live()?.send({ kind: { $case: "reconnect", value: { reason: "draining", afterMs: 150 } } });
    await gateway.waitFor("a second session", () => gateway.sessions.length === 2);
    assert.ok(Date.now() - asked >= 150, "waited at least after_ms");
    assert.ok(gateway.sessions[0]?.ended);
    gateway.settings.maxStreamAgeMs = 200;
    gateway.live()?.fail(status.UNAVAILABLE);
    await gateway.waitFor("rotations", () => gateway.sessions.length >= 5, 5000);
  });

  it("keeps retrying a refused token no more often than the refusal interval", async () => {
    gateway = await startTestGateway({ token: "asy_agent_other" });
    const agent = await start({ refusedRetryMs: 200 });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const refusals = lines.filter((l) => /refused the agent token/.test(l));
    assert.ok(refusals.length >= 2 && refusals.length <= 4, `${refusals.length} attempts`);
    assert.notEqual(agent.state(), "ready");
    gateway.settings.token = "asy_agent_test";
    await gateway.waitFor("a session after the token was fixed", () => agent.state() === "ready", 3000);
  });

  it("gives up when the protocol version is not supported", async () => {
    gateway = await startTestGateway({
      refuse: { code: status.FAILED_PRECONDITION, details: "protocol version 1 is not supported" },
    });
    const agent = await start();
    const outcome = await agent.stopped;
    assert.match(outcome.error?.message ?? "", /protocol version 1 is not supported/);
  });

  it("on stop, finishes running work, delivers it and says Goodbye", async () => {
    gateway = await startTestGateway();
    const agent = await start();
    await gateway.waitFor("a session", () => gateway.live() !== undefined);
    gateway.live()?.send(runCommand("E8", [{ ref: "a", shell: "sleep 0.3; echo finished" }]));
    await gateway.waitFor("started", () => gateway.acks.length === 1);
    await agent.stop("maintenance");
    assert.equal(gateway.results.get("E8")?.status, ExecutionStatus.EXECUTION_STATUS_PASSED);
    assert.equal(gateway.logs.get("E8")?.toString(), "finished\n");
    assert.deepEqual(gateway.goodbyes, ["maintenance"]);
  });
});
