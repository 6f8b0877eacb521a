/**
 * Agent identities against the real control plane (ingress on TLS, DynamoDB Local) and real
 * `assay agent` processes: the control plane issues the id and secret, a second process started
 * from a copied state directory is refused while the first holds the identity (and registers
 * anew once its identity.json is removed), and a client with the environment's token cannot
 * take over, report on or log into another agent's running execution.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ExecutionStatus, LogStream, PROTOCOL_VERSION } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { connect } from "../../functions/testing/protocol-client.ts";
import { type AgentProcess, launchAgent } from "../support/agent-process.ts";

const GATE = (marker: string) => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: gate
spec:
  steps:
    - name: wait
      shell: while [ ! -f ${marker} ]; do sleep 0.1; done; echo released
`;

describe("agent identity: issued by the control plane, one process per identity", () => {
  let plane: TestControlPlane;
  let dir: string;
  const agents: AgentProcess[] = [];

  before(async () => {
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 300 } });
    dir = mkdtempSync(join(tmpdir(), "assay-identity-"));
    const put = await plane.api(`${plane.envPath}/workflows/gate`, {
      method: "PUT",
      body: GATE(join(dir, "release")),
    });
    assert.equal(put.status, 201, await put.text());
  });
  after(async () => {
    for (const a of agents) a.child.kill("SIGKILL");
    await plane?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const startAgentProcess = (stateDir: string): AgentProcess => {
    const spawned = launchAgent({
      url: plane.ingressUrl,
      caFile: plane.caFile,
      stateDir,
      token: plane.agentToken,
      runtime: "process",
    });
    agents.push(spawned);
    return spawned;
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, log = "") => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const online = async () =>
    (
      (await (await plane.api(`${plane.envPath}/agents`)).json()) as {
        items: Array<{ agentId: string; status: string }>;
      }
    ).items.filter((a) => a.status === "online");
  const execution = async (id: string) =>
    (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as {
      status: string;
      agentId?: string;
    };
  const readIdentity = (stateDir: string) =>
    JSON.parse(readFileSync(join(stateDir, "identity.json"), "utf8")) as {
      agentId: string;
      agentSecret: string;
    };

  test("issued ids, a refused copy, and no takeover of a running execution", async () => {
    // 1. A fresh agent registers: the control plane issues its id and secret, kept 0600.
    const stateA = join(dir, "a");
    const a = startAgentProcess(stateA);
    const listed = await waitFor("agent A online", async () => (await online())[0], a.output());
    const identityA = readIdentity(stateA);
    assert.match(identityA.agentId, /^agt_[0-9a-f]{24}$/);
    assert.match(identityA.agentSecret, /^asy_agentkey_/);
    assert.equal(listed.agentId, identityA.agentId);
    assert.equal(statSync(join(stateA, "identity.json")).mode & 0o777, 0o600);
    assert.match(a.output(), new RegExp(`registered as agent ${identityA.agentId}`));

    // 2. A holds a running execution.
    const started = await plane.api(`${plane.envPath}/workflows/gate/executions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    await waitFor("the run on A", async () => {
      const e = await execution(id);
      return e.status === "running" ? e : undefined;
    });
    assert.equal((await execution(id)).agentId, identityA.agentId);

    // 3. A copy of A's state directory on the same host is refused while A holds the identity.
    const stateB = join(dir, "b");
    cpSync(stateA, stateB, { recursive: true });
    const b = startAgentProcess(stateB);
    await waitFor("the copy's refusal", () =>
      /already connected from another process/.test(b.output()) ? true : undefined,
    );
    assert.match(b.output(), /--state-dir/);
    assert.match(b.output(), /identity\.json/);
    assert.deepEqual(
      (await online()).map((x) => x.agentId),
      [identityA.agentId],
      "the copy never came online under A's id",
    );

    // 4. Takeover attempts with the environment's token.
    const attempt = async (agentId: string, agentSecret: string) => {
      const intruder = connect(plane, plane.agentToken);
      intruder.send({
        $case: "hello",
        value: {
          protocolVersion: PROTOCOL_VERSION,
          agentId,
          agentSecret,
          instanceId: "i_intruder000000000000",
          agentVersion: "evil",
          hostname: "elsewhere",
          platform: "linux",
          capabilities: [],
          maxConcurrency: 1,
          active: [{ executionId: id, logBytes: 0, finished: false }],
        },
      });
      const ended = await intruder.ended();
      intruder.close();
      return ended;
    };
    // A's id without its secret, with a guessed secret, and with the stolen secret itself.
    assert.equal((await attempt(identityA.agentId, ""))?.code, grpc.status.NOT_FOUND);
    assert.equal(
      (await attempt(identityA.agentId, "asy_agentkey_guess"))?.code,
      grpc.status.PERMISSION_DENIED,
    );
    const stolen = await attempt(identityA.agentId, identityA.agentSecret);
    assert.equal(stolen?.code, grpc.status.ALREADY_EXISTS);
    assert.match(stolen?.details ?? "", /already connected from another process/);

    // A registered intruder cannot report a result for, or log into, A's execution.
    const intruder = connect(plane, plane.agentToken);
    intruder.hello("intruder", [], 1);
    await intruder.next("welcome");
    intruder.send({
      $case: "result",
      value: {
        executionId: id,
        status: ExecutionStatus.EXECUTION_STATUS_FAILED,
        logBytes: 0,
        message: "taken over",
        steps: [],
        logTruncated: false,
        finishedAtMs: Date.now(),
      },
    });
    const ack = await intruder.next("resultAck");
    assert.equal(ack.accepted, false);
    assert.equal(ack.discard, true);
    intruder.send({
      $case: "logChunk",
      value: {
        executionId: id,
        seq: 1,
        offset: 0,
        stepRef: "x",
        data: Buffer.from("forged\n"),
        stream: LogStream.LOG_STREAM_STDOUT,
      },
    });
    assert.equal((await intruder.ended())?.code, grpc.status.PERMISSION_DENIED);
    intruder.close();
    assert.equal((await execution(id)).status, "running", "A still holds its execution");

    // 5. A finishes its own run, with its own log.
    writeFileSync(join(dir, "release"), "");
    const done = await waitFor(
      "the run to pass",
      async () => {
        const e = await execution(id);
        return e.status === "passed" ? e : undefined;
      },
      a.output(),
    );
    assert.equal(done.agentId, identityA.agentId);
    const log = await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text();
    assert.match(log, /released/);
    assert.doesNotMatch(log, /forged/);

    // 6. The fix the refusal names: the copy without identity.json registers as a new agent.
    b.child.kill("SIGKILL");
    rmSync(join(stateB, "identity.json"));
    const b2 = startAgentProcess(stateB);
    const both = await waitFor(
      "two agents online",
      async () => {
        const ids = (await online()).map((x) => x.agentId);
        return ids.length === 2 ? ids : undefined;
      },
      b2.output(),
    );
    const identityB = readIdentity(stateB);
    assert.notEqual(identityB.agentId, identityA.agentId);
    assert.deepEqual([...both].sort(), [identityA.agentId, identityB.agentId].sort());
  });
});
