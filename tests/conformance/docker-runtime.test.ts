/**
 * Testkube documents in containers: the files in tests/conformance/docker/ applied to the
 * end-to-end stack and run by an agent started with `--runtime docker`. The images they name are
 * built here from the host's static busybox (no registry is reachable) and tagged as the
 * documents name them. The agent's containers and networks carry its own agent id, so the last
 * test can check that none remains without touching anyone else's. Needs a Docker engine: fails
 * saying so when none answers.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type Docker from "dockerode";
import { startSlowRegistry } from "../../agent/src/runner/runtimes/docker/slow-registry.ts";
import {
  buildBusyboxImage,
  requireDocker,
  SHELL_APPLETS,
} from "../../agent/src/runner/runtimes/docker/test-images.ts";
import { type AgentFixture, startAgentFixture, step, workflowDoc } from "./agent-fixture.ts";
import { assertOutputsPerPod, outputsPerPod } from "./outputs-per-pod.ts";

const documentOf = (file: string) => readFileSync(new URL(`./docker/${file}`, import.meta.url), "utf8");
const nameOf = (yaml: string) => /\n {2}name: ([\w-]+)/.exec(yaml)?.[1] ?? "unnamed";

describe("Testkube documents in the Docker runtime", () => {
  let docker: Docker;
  let fixture: AgentFixture;
  let agentId = "";
  const run = async (file: string, timeoutMs = 120_000) => {
    const yaml = documentOf(file);
    return fixture.run(nameOf(yaml), yaml, {}, timeoutMs);
  };

  before(async () => {
    docker = await requireDocker();
    await buildBusyboxImage(docker, {
      tag: "alpine:3.22.0",
      applets: [...SHELL_APPLETS, "tr", "hostname", "wc"],
    });
    await buildBusyboxImage(docker, { tag: "assay-test/noshell:1" });
    await buildBusyboxImage(docker, {
      tag: "assay-test/echo-entrypoint:1",
      changes: ['ENTRYPOINT ["/bin/busybox", "echo"]', 'CMD ["default", "cmd"]'],
    });
    fixture = await startAgentFixture("docker");
    // The agent's presence is written by the ingress just after it connects: wait for it.
    let agents: Array<{ agentId: string; runtime: string; capabilities: string[] }> = [];
    for (let i = 0; i < 150 && agents.length === 0; i++) {
      const res = await fixture.plane.api(`${fixture.plane.envPath}/agents`);
      agents = ((await res.json()) as { items: typeof agents }).items;
      if (agents.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(agents[0]?.runtime, "docker", JSON.stringify(agents));
    assert.ok(agents[0]?.capabilities.includes("runner.docker"));
    agentId = agents[0]?.agentId ?? "";
  });
  after(async () => {
    await fixture?.stop();
  });

  test("runAsUser / runAsGroup apply to steps, service instances and parallel workers", async () => {
    const result = await run("securitycontext-runasuser.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /UID\/GID correct/);
    assert.doesNotMatch(result.log, /incorrect/);
  });

  test("a step over its memory limit is OOM-killed and reported as such", async () => {
    const result = await run("expected-fail-step-oomkilled.yaml");
    assert.equal(result.status, "failed");
    const oom = step(result, "Allocate more than the limit");
    assert.equal(oom.exitCode, 137);
    assert.match(oom.message ?? "", /OOMKilled/);
    assert.doesNotMatch(result.log, /This should not be printed/);
  });

  test("/data is shared by steps of different images (one without a shell), artifacts outside the working dir", async () => {
    const result = await run("shared-volume.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /hello from content/);
    const res = await fixture.plane.api(`${fixture.plane.envPath}/executions/${result.id}/artifacts`);
    assert.match(await res.text(), /report\.txt/);
  });

  test("a volumeMount naming no pod volume fails the step, saying so", async () => {
    const result = await run("expected-fail-volume-not-mounted.yaml");
    assert.equal(result.status, "failed");
    assert.match(step(result, "Check directory").message ?? "", /missing-volume.*names no volume/);
  });

  test("an emptyDir pod volume is shared by the containers that mount it", async () => {
    const result = await run("pod-volumes.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /kept/);
  });

  test("a service that exits 1 fails the execution", async () => {
    const result = await run("expected-fail-service-exit-code.yaml");
    assert.equal(result.status, "failed");
    assert.match(result.message ?? "", /slave/);
  });

  test("services are reached by {{ services.NAME.0.ip }} and {{ services.NAME.*.ip }}", async () => {
    const result = await run("service-ip.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /served by 0/);
    assert.match(result.log, /served by 1/);
  });

  test("the image's entrypoint runs with args as its cmd; command replaces it", async () => {
    const result = await run("image-entrypoint.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /hello from args/);
    assert.match(result.log, /default cmd/);
    assert.match(result.log, /replaced/);
  });

  test("matrix workers run in their own containers and their files come back", async () => {
    const result = await run("matrix-workers.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /chrome read shared input/);
    assert.match(result.log, /firefox read shared input/);
  });

  test("services and parallel workers see only the global env", async () => {
    const result = await run("global-env.yaml");
    assert.equal(result.status, "passed", `${result.message}\n${result.log}`);
    assert.match(result.log, /Service ENV values: OK/);
    assert.match(result.log, /Step ENV values: OK/);
    assert.equal(result.log.match(/Worker ENV values: OK/g)?.length, 2);
    assert.doesNotMatch(result.log, /validation failed/);
  });

  test("abort stops the running container", async () => {
    const yaml = documentOf("abort-mid-step.yaml");
    await fixture.put("workflows", nameOf(yaml), yaml);
    const res = await fixture.plane.api(`${fixture.plane.envPath}/workflows/${nameOf(yaml)}/executions`, {
      method: "POST",
      body: "{}",
    });
    const { id } = (await res.json()) as { id: string };
    const deadline = Date.now() + 60_000;
    const logOf = async () =>
      (await fixture.plane.api(`${fixture.plane.envPath}/executions/${id}/logs`)).text();
    while (!(await logOf()).includes("started") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const abort = await fixture.plane.api(`${fixture.plane.envPath}/executions/${id}/abort`, {
      method: "POST",
    });
    assert.ok(abort.status < 300, await abort.text());
    let status = "";
    while (Date.now() < deadline) {
      status = (
        (await (await fixture.plane.api(`${fixture.plane.envPath}/executions/${id}`)).json()) as {
          status: string;
        }
      ).status;
      if (status === "aborted") break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, "aborted");
  });

  test("step outputs per pod: workers in their containers and services have their own", async () => {
    const yaml = workflowDoc("outputs-per-pod", outputsPerPod("alpine:3.22.0"));
    assertOutputsPerPod(await fixture.run("outputs-per-pod", yaml, {}, 120_000));
  });

  test("timeouts.initialization ends a run whose first image pull outlasts it, stopping the pull", async () => {
    const registry = await startSlowRegistry(docker, "assay-conformance-init");
    try {
      const yaml = workflowDoc(
        "init-timeout",
        `  timeouts:\n    initialization: 3s\n  steps:\n  - name: Slow image\n    run:\n      image: "${registry.image}"\n      shell: echo should-not-run\n`,
      );
      const result = await fixture.run("init-timeout", yaml, {}, 120_000);
      assert.equal(result.status, "timeout", `${result.message}\n${result.log}`);
      assert.match(
        result.message ?? "",
        /^timeouts\.initialization \(3s\) elapsed before the first step started: still starting step "Slow image"$/,
      );
      assert.match(result.log, /\[assay\] pulling image/);
      assert.match(result.log, /\[assay\] pull of .* stopped/);
      assert.doesNotMatch(result.log, /should-not-run/);
      assert.equal(step(result, "Slow image").status, "timeout");
      // The engine gave the pull up with the run.
      for (let i = 0; i < 300 && registry.open.size > 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(registry.open.size, 0, "the engine kept pulling after the run ended");
    } finally {
      await registry.stop();
    }
  });

  test("no container or network of this agent remains", async () => {
    assert.notEqual(agentId, "");
    const filters = JSON.stringify({ label: [`dev.assay.agent=${agentId}`] });
    const deadline = Date.now() + 20_000;
    let left: string[] = [];
    while (Date.now() < deadline) {
      const containers = await docker.listContainers({ all: true, filters });
      const networks = await docker.listNetworks({ filters });
      left = [
        ...containers.map((c) => `container ${c.Names[0]}`),
        ...networks.map((n) => `network ${n.Name}`),
      ];
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(left, []);
  });
});
