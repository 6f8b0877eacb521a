/**
 * The install commands as a user gets them: created with an agent token through the API, then
 * run word for word (`sh -c`) in a clean directory with a clean HOME and nothing else in the
 * environment but PATH. The npx command installs the tarball the control plane serves and the
 * docker command runs the agent image (built by build:agent-image on a local Node 24 base);
 * each agent comes online and runs a workflow, and says nothing about Node deprecations.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ASSAY_VERSION } from "@assay/shared/version";
import {
  buildBusyboxImage,
  requireDocker,
  SHELL_APPLETS,
} from "../../agent/src/runner/runtimes/docker/test-images.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { buildAgentImage } from "../support/agent-image.ts";

interface Install {
  npx: string;
  docker: string;
  kubernetes: string;
  agentTarballUrl: string;
  tokenIncluded: boolean;
}
interface Agent {
  agentId: string;
  status: string;
  version: string;
}

const WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: install-check
spec:
  steps:
    - name: hello
      shell: echo "hello from the installed agent"
`;
/** The repository's Node 24 first (the test machine's system Node may be older), then the system's. */
const PATH = `${dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`;
const NODE_NOISE = /DeprecationWarning|ExperimentalWarning|\(node:\d+\)/;

describe("agent install commands, as copied", () => {
  let plane: TestControlPlane;
  let install: Install;
  const scratch: string[] = [];

  /** A clean working directory and HOME. */
  const cleanDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "assay-install-"));
    mkdirSync(join(dir, "home"));
    scratch.push(dir);
    return dir;
  };

  const agents = async () =>
    (await (await plane.api(`${plane.envPath}/agents`)).json()) as { items: Agent[] };

  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, output: () => string) => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}\noutput:\n${output().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** Waits for a new agent online, runs the workflow on it and returns the finished execution. */
  const comesOnlineAndRuns = async (known: Set<string>, output: () => string) => {
    const agent = await waitFor(
      "the agent to come online",
      async () => (await agents()).items.find((a) => a.status === "online" && !known.has(a.agentId)),
      output,
    );
    assert.equal(agent.version, ASSAY_VERSION, "the agent reports the control plane's version");
    known.add(agent.agentId);
    const res = await plane.api(`${plane.envPath}/workflows/install-check/executions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const done = await waitFor(
      `execution ${id} to finish`,
      async () => {
        const e = (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as { status: string };
        return ["queued", "assigned", "running"].includes(e.status) ? undefined : e;
      },
      output,
    );
    assert.equal(done.status, "passed", output());
    const log = await (await plane.api(`${plane.envPath}/executions/${id}/logs`)).text();
    assert.match(log, /hello from the installed agent/);
  };

  before(async () => {
    // The installed agent picks the Docker runtime where an engine answers, and runs a step
    // that names no image in its default image: provide it locally (no registry is reachable).
    await buildBusyboxImage(await requireDocker(), { tag: "busybox:stable", applets: SHELL_APPLETS });
    plane = await startTestControlPlane();
    const put = await plane.api(`${plane.envPath}/workflows/install-check`, {
      method: "PUT",
      body: WORKFLOW,
      headers: { "content-type": "application/yaml" },
    });
    assert.ok(put.status < 300, await put.text());
    const made = await plane.api(`${plane.envPath}/agent-tokens`, {
      method: "POST",
      body: JSON.stringify({ name: "install-test" }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    ({ install } = (await made.json()) as { install: Install });
    assert.equal(install.tokenIncluded, true);
  });

  after(async () => {
    await plane?.stop();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  const known = new Set<string>();

  test("the npx command installs the served tarball, connects and runs a workflow", async () => {
    assert.ok(install.npx.includes(install.agentTarballUrl));
    const dir = cleanDir();
    let output = "";
    const child: ChildProcess = spawn("sh", ["-c", install.npx], {
      cwd: dir,
      env: { PATH, HOME: join(dir, "home") },
      detached: true,
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    try {
      await comesOnlineAndRuns(known, () => output);
      assert.match(output, /connected/);
      assert.doesNotMatch(output, NODE_NOISE);
    } finally {
      // The whole group: sh, npm exec and the agent it started.
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    }
  });

  test("the docker command runs the agent image, which connects and runs a workflow", async () => {
    await buildAgentImage();
    const dir = cleanDir();
    const name = /--name (\S+)/.exec(install.docker)?.[1];
    assert.ok(name, install.docker);
    execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" });
    const logs = () => {
      try {
        return execFileSync("docker", ["logs", name], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (error) {
        return String(error);
      }
    };
    try {
      execFileSync("sh", ["-c", install.docker], {
        cwd: dir,
        env: { PATH, HOME: join(dir, "home") },
        stdio: "pipe",
      });
      await comesOnlineAndRuns(known, logs);
      const output = execFileSync("sh", ["-c", `docker logs ${name} 2>&1`], { encoding: "utf8" });
      assert.match(output, /connected/);
      assert.doesNotMatch(output, NODE_NOISE);
    } finally {
      execFileSync("docker", ["rm", "-f", name], { stdio: "ignore" });
    }
  });
});
