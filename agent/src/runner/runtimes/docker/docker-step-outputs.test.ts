/**
 * Step outputs in the Docker runtime, against the real engine: the corpus fixture
 * special-cases-step-outputs (its image swapped for a local one, its resource template left
 * out) runs as written; each container writes `/testkube/outputs` and `{{ step.results }}`,
 * as a user that is not root too.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type Docker from "dockerode";
import { buildBusyboxImage, requireDocker, SHELL_APPLETS } from "./test-images.ts";
import { runOnDocker } from "./test-run.ts";

const IMAGE = "assay-test/outputs:1";
const FIXTURE = new URL(
  "../../../../../shared/src/workflow/fixtures/testkube/test__special-cases__special-cases-step-outputs.yaml",
  import.meta.url,
);

describe("Docker runtime: step outputs", () => {
  let docker: Docker;
  let dir: string;
  let fixture: string;
  before(async () => {
    docker = await requireDocker();
    await buildBusyboxImage(docker, { tag: IMAGE, applets: [...SHELL_APPLETS, "chmod"] });
    dir = await mkdtemp(join(tmpdir(), "assay-outputs-"));
    const text = await readFile(FIXTURE, "utf8");
    const template = "  use:\n    - name: special-cases-template-default-resources\n";
    assert.ok(text.includes(template) && text.includes("image: alpine:3.22.0"));
    fixture = text.replace(template, "").replace("image: alpine:3.22.0", `image: ${IMAGE}`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("runs the step-outputs fixture: values through /testkube/outputs, files through step.results", async () => {
    const run = await runOnDocker(docker, dir, fixture);
    assert.equal(run.result.status, "passed", run.log);
    for (const name of ["Produce", "Consume", "Verify"])
      assert.equal(run.step(name)?.status, "passed", run.log);
    assert.match(run.output("Consume", "stdout"), /^running$/m);
    assert.doesNotMatch(run.log, /FAIL/);
  });

  it("lets a container user that is not root write its outputs", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      `${fixture.replace("  container:\n", "  container:\n    securityContext: {runAsUser: 1234}\n")}  - name: Who\n    shell: id -u\n`,
    );
    assert.equal(run.result.status, "passed", run.log);
    assert.match(run.output("Consume", "stdout"), /^running$/m);
    assert.match(run.output("Who", "stdout"), /^1234$/m);
  });
});
