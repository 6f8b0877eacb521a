/**
 * `assay agent` as a real process: SIGTERM stops it gracefully by policy. With
 * `--on-stop abort` the running step's process group is killed, the ABORTED result and its log
 * reach the control plane, the agent says Goodbye and exits 0.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ExecutionStatus } from "@assay/shared/proto";
import { startTestGateway } from "../daemon/test-gateway.ts";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "assay.ts");

test("SIGTERM with --on-stop abort aborts the run, delivers its result, says Goodbye and exits 0", async () => {
  const gateway = await startTestGateway();
  const dir = await mkdtemp(join(tmpdir(), "assay-signal-"));
  const agent = spawn(
    process.execPath,
    [
      bin,
      "agent",
      "--url",
      gateway.url,
      "--token",
      "asy_agent_test",
      "--ca-file",
      gateway.caFile,
      "--state-dir",
      join(dir, "state"),
      "--work-dir",
      join(dir, "work"),
      "--on-stop",
      "abort",
      // Host processes: this test is about signals, not images.
      "--runtime",
      "process",
    ],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let stderr = "";
  agent.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    await gateway.waitFor("the agent", () => gateway.live() !== undefined, 15_000);
    const spec = [
      "apiVersion: testworkflows.testkube.io/v1",
      "kind: TestWorkflow",
      "metadata: {name: long}",
      "spec:",
      "  steps:",
      "  - shell: echo started; sleep 30",
    ].join("\n");
    gateway.live()?.send({
      kind: {
        $case: "run",
        value: {
          commandId: "c1",
          executionId: "SIG1",
          workflowName: "long",
          workflow: { specYaml: spec, warnings: [] },
          config: {},
          sensitive: [],
          queuedAtMs: Date.now(),
          committedLogOffset: 0,
          number: 0,
          organizationId: "",
          environmentId: "",
          dashboardUrl: "",
        },
      },
    });
    await gateway.waitFor(
      "the step's output",
      () => gateway.logs.get("SIG1")?.toString().includes("started") ?? false,
    );
    agent.kill("SIGTERM");
    const [code] = await once(agent, "exit");
    assert.equal(code, 0, stderr);
    assert.equal(gateway.results.get("SIG1")?.status, ExecutionStatus.EXECUTION_STATUS_ABORTED);
    assert.equal(gateway.goodbyes.length, 1);
    assert.match(stderr, /SIGTERM: stopping \(aborting running executions/);
  } finally {
    if (agent.exitCode === null) agent.kill("SIGKILL");
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
});
