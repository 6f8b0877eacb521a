/**
 * Publishing the agent image: `npm run release:agent-image` builds it and pushes it to a real
 * registry (Debian's docker-registry, on loopback), and the image the install commands of a
 * deployment configured with that registry name is pulled back by that exact name and runs.
 * No registry on the internet is reachable: the Node 24 base is made locally
 * (tests/support/agent-image.ts).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ASSAY_VERSION } from "@assay/shared/version";
import { findFreePort } from "../../functions/adapters/local/child-process.ts";
import { agentImageOf } from "../../functions/runtime/aws-config.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { ensureTestNodeBase } from "../support/agent-image.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

describe("release:agent-image pushes the image the install commands name", () => {
  let registry: ChildProcess;
  let address: string;
  let dir: string;
  let plane: TestControlPlane | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "assay-registry-"));
    const port = await findFreePort();
    address = `127.0.0.1:${port}`;
    writeFileSync(
      join(dir, "config.yml"),
      `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: ${address}\nlog:\n  level: error\n`,
    );
    registry = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`http://${address}/v2/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error("docker-registry did not answer on loopback");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    registry?.kill("SIGTERM");
    await plane?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("refuses to run without a registry, with the flag named", async () => {
    const run = await promisify(execFile)(process.execPath, [join(REPO, "agent/scripts/release-image.ts")], {
      env: { ...process.env, ASSAY_AGENT_REGISTRY: "" },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /--registry/);
  });

  test("push, then pull by the name the install command prints, and run it", async () => {
    const { stdout } = await promisify(execFile)(
      "npm",
      ["run", "--silent", "release:agent-image", "--", "--registry", address, "--base", ensureTestNodeBase()],
      { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
    );
    const expected = `${address}/assay/agent:${ASSAY_VERSION}`;
    assert.match(stdout, new RegExp(`pushed ${expected.replaceAll(".", "\\.")}`));
    assert.match(stdout, /digest 127\.0\.0\.1:\d+\/assay\/agent@sha256:[0-9a-f]{64}/);

    // The registry itself lists the tag.
    const tags = (await (await fetch(`http://${address}/v2/assay/agent/tags/list`)).json()) as {
      tags: string[];
    };
    assert.deepEqual(tags.tags, [ASSAY_VERSION]);

    // A deployment configured with that registry (ASSAY_AGENT_REGISTRY, set by infra from the
    // stage's agentRegistry) prints install commands naming exactly that image.
    const agentImage = agentImageOf({ ASSAY_AGENT_REGISTRY: address });
    assert.equal(agentImage, expected);
    plane = await startTestControlPlane({ tenancy: { agentImage } });
    const install = (await (await plane.api(`${plane.envPath}/install`)).json()) as {
      docker: string;
      kubernetes: string;
    };
    const named = /\s(\S+\/assay\/agent:\S+) agent --url/.exec(install.docker)?.[1];
    assert.equal(named, expected);
    assert.match(install.kubernetes, new RegExp(`image: "?${expected.replaceAll(".", "\\.")}`));

    // Gone locally, then pulled back from the registry by that name: it runs.
    docker("image", "rm", "--force", expected);
    assert.equal(docker("images", "-q", expected), "");
    docker("pull", "--quiet", named ?? "");
    const version = docker("run", "--rm", named ?? "", "--version");
    assert.equal(version, ASSAY_VERSION);
    docker("image", "rm", "--force", expected);
  });
});
