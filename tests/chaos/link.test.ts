/**
 * Chaos, short variant (in `npm test`; `npm run chaos` runs the long one, ASSAY_CHAOS_LONG=1): faults between agent
 * and control plane on a production-shaped topology (tests/chaos/topology.ts). Each case asserts
 * the run ends with the right status and its stored log holds every numbered line exactly once.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FAST_TIMINGS, startTopology, type Topology, waitFor } from "./topology.ts";

/** Numbered lines, a few per 100 ms, for about `seconds`. */
const counting = (name: string, lines: number, sleep: string) => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: ${name}
spec:
  steps:
    - name: count
      shell: |
        i=1
        while [ $i -le ${lines} ]; do echo "line $i"; i=$((i+1)); sleep ${sleep}; done
`;

interface ExecutionJson {
  id: string;
  status: string;
  message?: string;
  logBytes: number;
}

/** The lease of the lost-execution case: short, so the reaper acts within seconds. */
const SHORT_LEASE_MS = "4000";

/** Asserts the stored log holds lines 1..n exactly once each, in order. */
function assertEveryLineOnce(log: string, n: number) {
  const lines = log.split("\n").filter((l) => l.startsWith("line "));
  assert.equal(lines.length, n, `expected ${n} lines, got ${lines.length}`);
  for (const [i, line] of lines.entries()) assert.equal(line, `line ${i + 1}`);
}

describe("chaos: the agent link under failure (short)", () => {
  let topo: Topology;
  const api = (path: string, init?: RequestInit) => topo.plane.api(`${topo.plane.envPath}${path}`, init);
  const getExecution = async (id: string) => (await (await api(`/executions/${id}`)).json()) as ExecutionJson;
  const start = async (name: string, yaml: string) => {
    assert.ok([200, 201].includes((await api(`/workflows/${name}`, { method: "PUT", body: yaml })).status));
    const res = await api(`/workflows/${name}/executions`, { method: "POST", body: "{}" });
    assert.equal(res.status, 201);
    return ((await res.json()) as ExecutionJson).id;
  };
  const finished = (id: string, timeoutMs = 60_000) =>
    waitFor(
      `execution ${id} to finish`,
      async () => {
        const e = await getExecution(id);
        return ["queued", "assigned", "running"].includes(e.status) ? undefined : e;
      },
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nagent:\n${topo.agentOutput.slice(-3000)}`);
    });
  const running = (id: string) =>
    waitFor(
      `execution ${id} to run`,
      async () => ((await getExecution(id)).status === "running" ? true : undefined),
      30_000,
    );

  before(async () => {
    topo = await startTopology({ ingresses: 2 });
    topo.startAgent();
  });
  after(async () => {
    await topo?.stop();
  });

  test("SIGKILL of the ingress twice mid-run: the run passes and every line is stored once", async () => {
    const id = await start("kill-ingress", counting("kill-ingress", 120, "0.05"));
    await running(id);
    for (let round = 0; round < 2; round++) {
      await new Promise((r) => setTimeout(r, 1_000));
      // Kill both instances so the agent cannot simply fail over: it must resend after a restart.
      await topo.stopIngress(0, "SIGKILL");
      await topo.stopIngress(1, "SIGKILL");
      await new Promise((r) => setTimeout(r, 500));
      await topo.restartIngress(0);
      await topo.restartIngress(1);
    }
    const execution = await finished(id);
    assert.equal(execution.status, "passed", execution.message);
    assertEveryLineOnce(await (await api(`/executions/${id}/logs`)).text(), 120);
  });

  test("a blackholed network (no RST) is noticed, spooled through and recovered", async () => {
    const id = await start("blackhole", counting("blackhole", 80, "0.05"));
    await running(id);
    topo.proxy.setMode("blackhole");
    // Short: three times the dead-after threshold; `npm run chaos`: the full minute.
    await new Promise((r) => setTimeout(r, process.env.ASSAY_CHAOS_LONG === "1" ? 60_000 : 6_000));
    topo.proxy.setMode("pass");
    const execution = await finished(id);
    assert.equal(execution.status, "passed", execution.message);
    assertEveryLineOnce(await (await api(`/executions/${id}/logs`)).text(), 80);
  });

  test("rolling restart: SIGTERM one ingress during a run, nothing fails", async () => {
    const id = await start("rolling", counting("rolling", 60, "0.05"));
    await running(id);
    await topo.stopIngress(0, "SIGTERM");
    await topo.restartIngress(0);
    await topo.stopIngress(1, "SIGTERM");
    await topo.restartIngress(1);
    const execution = await finished(id);
    assert.equal(execution.status, "passed", execution.message);
    assertEveryLineOnce(await (await api(`/executions/${id}/logs`)).text(), 60);
  });

  test("with nats-server stopped, work is still delivered and logs stored (sweeps)", async () => {
    await topo.nats.stop();
    const id = await start("no-nats", counting("no-nats", 20, "0.02"));
    const execution = await finished(id);
    assert.equal(execution.status, "passed", execution.message);
    assertEveryLineOnce(await (await api(`/executions/${id}/logs`)).text(), 20);
  });
});

describe("chaos: an agent that vanishes (short lease)", () => {
  let topo: Topology;
  const api = (path: string, init?: RequestInit) => topo.plane.api(`${topo.plane.envPath}${path}`, init);
  const getExecution = async (id: string) => (await (await api(`/executions/${id}`)).json()) as ExecutionJson;
  const start = async (name: string, yaml: string) => {
    assert.ok([200, 201].includes((await api(`/workflows/${name}`, { method: "PUT", body: yaml })).status));
    const res = await api(`/workflows/${name}/executions`, { method: "POST", body: "{}" });
    assert.equal(res.status, 201);
    return ((await res.json()) as ExecutionJson).id;
  };
  const finished = (id: string, timeoutMs = 60_000) =>
    waitFor(
      `execution ${id} to finish`,
      async () => {
        const e = await getExecution(id);
        return ["queued", "assigned", "running"].includes(e.status) ? undefined : e;
      },
      timeoutMs,
    );
  const running = (id: string) =>
    waitFor(
      `execution ${id} to run`,
      async () => ((await getExecution(id)).status === "running" ? true : undefined),
      30_000,
    );

  before(async () => {
    topo = await startTopology({
      ingresses: 1,
      timings: { ...FAST_TIMINGS, ASSAY_LEASE_TTL_MS: SHORT_LEASE_MS },
    });
    topo.startAgent();
  });
  after(async () => {
    await topo?.stop();
  });

  test("an agent killed mid-run: the execution is lost with a reason; a restarted agent takes new work", async () => {
    const id = await start("orphan", counting("orphan", 600, "0.05"));
    await running(id);
    const killed = new Promise((r) => topo.agent?.once("exit", r));
    topo.agent?.kill("SIGKILL");
    await killed;
    const lost = await finished(id, Number(SHORT_LEASE_MS) + 30_000);
    assert.equal(lost.status, "lost");
    assert.match(lost.message ?? "", /lease|heartbeat|restarted/);
    topo.startAgent();
    const next = await start("after-orphan", counting("after-orphan", 5, "0.01"));
    assert.equal((await finished(next)).status, "passed");
  });
});
