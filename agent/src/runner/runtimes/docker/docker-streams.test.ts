/**
 * Output streams in the Docker runtime, against the real engine: the container's multiplexed
 * attach stream is split by the stream the engine reports, so stderr lines reach the log marked
 * as stderr (and masked like stdout).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type Docker from "dockerode";
import { buildBusyboxImage, requireDocker, SHELL_APPLETS } from "./test-images.ts";
import { runOnDocker } from "./test-run.ts";

const IMAGE = "assay-test/shell:1";

describe("Docker runtime: output streams", () => {
  let docker: Docker;
  let dir: string;
  before(async () => {
    docker = await requireDocker();
    await buildBusyboxImage(docker, { tag: IMAGE, applets: SHELL_APPLETS });
    dir = await mkdtemp(join(tmpdir(), "assay-streams-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("marks a container's stderr as stderr and masks secrets on both streams", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: streams
spec:
  container:
    image: ${IMAGE}
  steps:
  - name: Both
    shell: |
      echo out-1
      echo "err-1 {{ credential("db.password") }}" >&2
      echo "out-2 {{ credential("db.password") }}"
      echo err-2 >&2`,
      { credentials: [{ name: "db.password", value: "s3cret-pw", secret: true }] },
    );
    assert.equal(run.result.status, "passed", run.log);
    assert.equal(run.output("Both", "stdout"), "out-1\nout-2 ********\n");
    assert.equal(run.output("Both", "stderr"), "err-1 ********\nerr-2\n");
  });
});
