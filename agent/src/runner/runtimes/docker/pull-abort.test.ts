/**
 * Abort during an image pull: Debian's `docker-registry` on loopback behind a throttling TCP
 * proxy (also on loopback), so the engine's layer download crawls. The run is aborted while the
 * pull is in progress; it must end `aborted` without waiting for the pull, the image must not be
 * present afterwards, and the engine must have dropped its connections to the registry (it gave
 * the pull up instead of finishing it in the background).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type Docker from "dockerode";
import { type SlowRegistry, startSlowRegistry } from "./slow-registry.ts";
import { requireDocker } from "./test-images.ts";
import { runOnDocker } from "./test-run.ts";

describe("Docker runtime: abort during an image pull", () => {
  let docker: Docker;
  let dir: string;
  let registry: SlowRegistry | undefined;
  let slowImage = "";

  before(async () => {
    docker = await requireDocker();
    dir = await mkdtemp(join(tmpdir(), "assay-pull-abort-"));
    registry = await startSlowRegistry(docker, "assay-pull-abort");
    slowImage = registry.image;
  });
  after(async () => {
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("stops the pull and ends the run aborted", async () => {
    const yaml = `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: slow}\nspec:\n  steps:\n  - name: Slow image\n    run:\n      image: "${slowImage}"\n      shell: echo should-not-run\n`;
    let abort: ((reason: string) => void) | undefined;
    let settled = false;
    const outcome = runOnDocker(docker, dir, yaml, { onStart: (run) => (abort = run.abort) });
    void outcome.finally(() => (settled = true));
    // Abort once the engine is downloading through the proxy.
    for (let i = 0; i < 600 && !settled && (registry?.open.size ?? 0) === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    if (settled) assert.fail(`the run ended before the pull got going:\n${(await outcome).log}`);
    assert.ok((registry?.open.size ?? 0) > 0, "the engine never connected to the registry");
    await new Promise((r) => setTimeout(r, 1500));
    abort?.("stopped by the test");
    const run = await outcome;
    assert.equal(run.result.status, "aborted", `${run.result.message}\n${run.log}`);
    assert.equal(run.step("Slow image")?.status, "aborted");
    assert.match(run.log, /\[assay\] pulling image/);
    assert.match(run.log, /\[assay\] pull of .* stopped/);
    assert.doesNotMatch(run.log, /should-not-run/);
    // The engine gave the pull up: its registry connections close and no image appears.
    for (let i = 0; i < 300 && (registry?.open.size ?? 0) > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(registry?.open.size, 0, "the engine kept pulling after the abort");
    const present = await docker
      .getImage(slowImage)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    assert.equal(present, false);
  });
});
