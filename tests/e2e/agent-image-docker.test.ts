/**
 * The agent image running the Docker runtime on the host's engine, as the install command
 * starts it (the host's Docker socket mounted, its group added, the image's non-root user):
 * steps in their own images see files the agent wrote into /data, shell steps run in an image
 * without a shell, a parallel worker gets its transferred files and gives its results back, and
 * at the end no container of the agent remains and its workspaces are gone from its filesystem.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  buildBusyboxImage,
  requireDocker,
  SHELL_APPLETS,
} from "../../agent/src/runner/runtimes/docker/test-images.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { buildAgentImage } from "../support/agent-image.ts";

const WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: in-image
spec:
  container:
    image: assay-test/in-image-shell:1
  content:
    files:
    - path: /data/input/message.txt
      content: written by the agent
  steps:
  - name: Read what the agent wrote
    shell: cat /data/input/message.txt
  - name: No shell in this image
    run:
      image: assay-test/in-image-noshell:1
      shell: echo "shell steps run without a shell in the image" > /data/from-noshell.txt
  - name: Workers
    parallel:
      count: 2
      transfer:
      - from: /data/input
      fetch:
      - from: /data/out
      shell: mkdir -p /data/out && echo "worker {{ index }} got $(cat /data/input/message.txt)" > /data/out/w{{ index }}.txt
  - name: Results
    shell: cat /data/from-noshell.txt /data/out/w0.txt /data/out/w1.txt
`;
const PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;

describe("the agent image with the host's Docker socket", () => {
  let plane: TestControlPlane;
  let command = "";
  let dir = "";

  before(async () => {
    const docker = await requireDocker();
    await buildBusyboxImage(docker, { tag: "assay-test/in-image-shell:1", applets: SHELL_APPLETS });
    await buildBusyboxImage(docker, { tag: "assay-test/in-image-noshell:1" });
    await buildAgentImage();
    plane = await startTestControlPlane();
    const put = await plane.api(`${plane.envPath}/workflows/in-image`, {
      method: "PUT",
      body: WORKFLOW,
      headers: { "content-type": "application/yaml" },
    });
    assert.ok(put.status < 300, await put.text());
    const made = await plane.api(`${plane.envPath}/agent-tokens`, {
      method: "POST",
      body: JSON.stringify({ name: "in-image" }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    command = ((await made.json()) as { install: { docker: string } }).install.docker;
    dir = mkdtempSync(join(tmpdir(), "assay-in-image-"));
    mkdirSync(join(dir, "home"));
  });
  after(async () => {
    await plane?.stop();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test("runs steps, workers and files in containers, and cleans up after itself", async () => {
    const name = /--name (\S+)/.exec(command)?.[1];
    assert.ok(name, command);
    const sh = (script: string) =>
      execFileSync("sh", ["-c", script], {
        cwd: dir,
        env: { PATH, HOME: join(dir, "home") },
        encoding: "utf8",
      });
    sh(`docker rm -f ${name} >/dev/null 2>&1 || true`);
    const logs = () => sh(`docker logs ${name} 2>&1 || true`);
    try {
      sh(command);
      const deadline = Date.now() + 120_000;
      let agentId = "";
      while (agentId === "" && Date.now() < deadline) {
        const { items } = (await (await plane.api(`${plane.envPath}/agents`)).json()) as {
          items: Array<{ agentId: string; status: string; runtime: string }>;
        };
        const agent = items.find((a) => a.status === "online");
        if (agent !== undefined) {
          assert.equal(agent.runtime, "docker", logs());
          agentId = agent.agentId;
        } else await new Promise((r) => setTimeout(r, 200));
      }
      assert.notEqual(agentId, "", `the agent never came online\n${logs()}`);
      const res = await plane.api(`${plane.envPath}/workflows/in-image/executions`, {
        method: "POST",
        body: "{}",
      });
      assert.equal(res.status, 201, await res.clone().text());
      const { id } = (await res.json()) as { id: string };
      let status = "queued";
      while (["queued", "assigned", "running"].includes(status) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        status = ((await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as { status: string })
          .status;
      }
      const log = await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text();
      assert.equal(status, "passed", `${log}\n${logs()}`);
      assert.match(log, /written by the agent/);
      assert.match(log, /shell steps run without a shell in the image/);
      assert.match(log, /worker 0 got written by the agent/);
      assert.match(log, /worker 1 got written by the agent/);
      // Nothing of the execution is left: no container, network, workspace or worker volume.
      const filters = `--filter label=dev.assay.agent=${agentId}`;
      assert.equal(sh(`docker ps -aq ${filters}`).trim(), "");
      assert.equal(sh(`docker network ls -q ${filters}`).trim(), "");
      const work = sh(`docker exec ${name} ls -A /tmp/assay-agent-work`).trim().split("\n");
      assert.deepEqual(
        work.filter((f) => f !== "" && f !== ".artifacts"),
        [],
        "workspaces left in the agent's work dir",
      );
    } finally {
      sh(`docker rm -f ${name} >/dev/null 2>&1 || true`);
    }
  });
});
