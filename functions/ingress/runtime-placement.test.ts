/**
 * Claiming by runtime, on the wire: a process agent and a Docker agent (real grpc-js clients
 * announcing `runner.process` / `runner.docker`) on the real ingress over TLS on loopback. A run
 * whose steps name images goes to the Docker agent while it is online, to the process agent
 * only when it is not (saying so on the execution), and a run only a container runtime can run
 * waits for one.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { connect } from "../testing/protocol-client.ts";

const workflow = (name: string, steps: string) => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: ${name}
spec:
  steps:
${steps}`;

/** Steps in an image with a shell: the process runtime runs them on its host (with a warning). */
const IMAGED = workflow(
  "imaged",
  "    - name: build\n      run:\n        image: busybox:1.36\n        shell: echo hi\n",
);
/** A step that runs its image's entrypoint: only a container runtime can. */
const ENTRYPOINT = workflow("entrypoint", "    - name: serve\n      run:\n        image: busybox:1.36\n");
const PLAIN = workflow("plain", "    - name: hi\n      shell: echo hi\n");

const PROCESS = ["runner.process", "logs.offsets"];
const DOCKER = ["runner.docker", "logs.offsets"];

interface View {
  status: string;
  agentId?: string;
  waiting?: string;
  runtimeNeed?: { containers: string; reason: string };
  placement?: { runtime: string; reason: string };
}

describe("claiming by runtime", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 200 } });
    for (const [name, spec] of [
      ["imaged", IMAGED],
      ["entrypoint", ENTRYPOINT],
      ["plain", PLAIN],
    ] as const) {
      const put = await plane.api(`${plane.envPath}/workflows/${name}`, { method: "PUT", body: spec });
      assert.equal(put.status, 201, await put.text());
    }
  });
  after(async () => {
    await plane?.stop();
  });

  const start = async (name: string) => {
    const res = await plane.api(`${plane.envPath}/workflows/${name}/executions`, {
      method: "POST",
      body: "{}",
    });
    const body = await res.text();
    assert.equal(res.status, 201, body);
    return (JSON.parse(body) as { id: string }).id;
  };
  const view = async (id: string) =>
    (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as View;
  /** Waits until the agents list says `agentId` is `status`. */
  const agentIs = async (agentId: string | undefined, status: "online" | "offline") => {
    for (let i = 0; i < 200; i++) {
      const res = await plane.api(`${plane.envPath}/agents`);
      const { items } = (await res.json()) as { items: Array<{ agentId: string; status: string }> };
      if (items.some((a) => a.agentId === agentId && a.status === status)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`agent ${agentId} never ${status}`);
  };
  const accept = (agent: ReturnType<typeof connect>, run: { commandId: string; executionId: string }) =>
    agent.send({
      $case: "commandAck",
      value: { commandId: run.commandId, executionId: run.executionId, accepted: true, reason: "" },
    });

  test("a run that names images goes to the Docker agent, not to the freer process agent", async () => {
    const processAgent = connect(plane, plane.agentToken);
    processAgent.hello("placement-process", [], 8, "test", PROCESS);
    await processAgent.next("welcome");
    const docker = connect(plane, plane.agentToken);
    docker.hello("placement-docker", [], 1, "test", DOCKER);
    await docker.next("welcome");
    await agentIs(docker.agentId(), "online");

    const id = await start("imaged");
    const run = await docker.next("run");
    assert.equal(run.executionId, id);
    accept(docker, run);
    const claimed = await view(id);
    assert.equal(claimed.agentId, docker.agentId());
    assert.deepEqual(claimed.runtimeNeed, {
      containers: "preferred",
      reason: "step r1 names image busybox:1.36",
    });
    assert.equal(claimed.placement?.runtime, "docker");
    assert.match(claimed.placement?.reason ?? "", /the docker runtime runs the plan's images/);

    // A plain run is anyone's: the process agent (most free capacity) takes it by offer.
    const plain = await start("plain");
    const plainRun = await processAgent.next("run");
    assert.equal(plainRun.executionId, plain);
    accept(processAgent, plainRun);
    assert.equal((await view(plain)).placement?.runtime, "process");

    // With the Docker agent gone, the next imaged run falls to the process agent, which says why.
    docker.close();
    await agentIs(docker.agentId(), "offline");
    const fallback = await start("imaged");
    const fallbackRun = await processAgent.next("run");
    assert.equal(fallbackRun.executionId, fallback);
    accept(processAgent, fallbackRun);
    const fell = await view(fallback);
    assert.equal(fell.agentId, processAgent.agentId());
    assert.equal(fell.placement?.runtime, "process");
    assert.match(
      fell.placement?.reason ?? "",
      /^no agent with a container runtime is online, so the process runtime took it and runs the steps on its host without their images: step r1 names image busybox:1\.36$/,
    );
    processAgent.close();
  });

  test("a run only a container runtime can run waits for one, and says so", async () => {
    const processAgent = connect(plane, plane.agentToken);
    processAgent.hello("placement-process-2", [], 4, "test", PROCESS);
    await processAgent.next("welcome");
    await agentIs(processAgent.agentId(), "online");
    const id = await start("entrypoint");
    // Several sweeps pass (every 200 ms) without the process agent taking it.
    await assert.rejects(processAgent.next("run", 1_500), /no run within/);
    const queued = await view(id);
    assert.equal(queued.status, "queued");
    assert.equal(queued.runtimeNeed?.containers, "required");
    assert.match(
      queued.waiting ?? "",
      /^waiting for an agent with a container runtime \(docker\): step r1 runs the entrypoint of busybox:1\.36, which only a container runtime can; none of the \d+ online agents? in \S+ has one$/,
    );

    const docker = connect(plane, plane.agentToken);
    docker.hello("placement-docker-2", [], 1, "test", DOCKER);
    const run = await docker.next("run");
    assert.equal(run.executionId, id);
    accept(docker, run);
    assert.equal((await view(id)).placement?.runtime, "docker");
    docker.close();
    processAgent.close();
  });
});
