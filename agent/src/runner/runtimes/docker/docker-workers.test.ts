/**
 * Parallel workers and services in the Docker runtime, against the real engine with a locally
 * built busybox image: each worker has its own /data and emptyDirs, `transfer` copies the
 * parent's files in before it starts (mounting a volume where none is), `fetch` copies the
 * worker's files back after it ended; services and workers see only the `global` env.
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
const doc = (spec: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: workers\nspec:\n  container:\n    image: ${IMAGE}\n${spec}`;

describe("Docker runtime: parallel workers have volumes of their own", () => {
  let docker: Docker;
  let dir: string;
  before(async () => {
    docker = await requireDocker();
    await buildBusyboxImage(docker, { tag: IMAGE, applets: [...SHELL_APPLETS, "wc"] });
    dir = await mkdtemp(join(tmpdir(), "assay-workers-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("transfers chosen files in, keeps the rest out, and fetches results back", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      doc(`  steps:
  - name: Prepare
    shell: mkdir -p /data/src /data/private && echo input > /data/src/in.txt && echo skip > /data/src/skip.log && echo secret > /data/private/p.txt
  - name: Fan out
    parallel:
      count: 2
      transfer:
      - from: /data/src
        files: ["*.txt"]
      - from: /data/src
        to: /opt/inputs
      fetch:
      - from: /data/out
      shell: |
        test -f /data/src/in.txt
        test ! -e /data/src/skip.log
        test ! -e /data/private/p.txt && echo "worker {{ index }} cannot see private files"
        test -f /opt/inputs/skip.log
        mkdir -p /data/out && echo "result {{ index }}" > /data/out/r{{ index }}.txt
  - name: Read results
    shell: cat /data/out/r0.txt /data/out/r1.txt`),
    );
    assert.equal(run.result.status, "passed", `${run.result.message}\n${run.log}`);
    assert.match(run.log, /worker 0 cannot see private files/);
    assert.match(run.log, /worker 1 cannot see private files/);
    assert.match(run.log, /result 0\nresult 1/);
    assert.match(run.log, /\[assay\] transferred 1 file\(s\) from \/data\/src to \/data\/src/);
    assert.match(run.log, /\[assay\] fetched 1 file\(s\) from \/data\/out to \/data\/out/);
  });

  it("shards glob() results of the parent's /data over workers, which get the files by transfer", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      doc(`  steps:
  - name: Checkout
    shell: mkdir -p /data/repo/tests && for t in one two three; do echo "test $t" > /data/repo/tests/$t.spec; done
  - name: Shards
    workingDir: /data/repo
    parallel:
      maxCount: 4
      shards: {files: 'glob("tests/*.spec")'}
      transfer:
      - from: /data/repo
      shell: for f in {{ join(shard.files, " ") }}; do cat "$f"; done`),
    );
    assert.equal(run.result.status, "passed", `${run.result.message}\n${run.log}`);
    assert.match(run.log, /parallel: 3 of 4 instances, resolved now from files/);
    for (const name of ["one", "three", "two"]) assert.match(run.log, new RegExp(`^test ${name}$`, "m"));
    assert.equal(run.step("worker 4")?.status, "skipped");
    assert.equal(run.step("worker 3")?.status, "passed");
  });

  it("fetches a failed worker's files too, and fails it when a transfer cannot be done", async () => {
    const fails = await runOnDocker(
      docker,
      dir,
      doc(`  steps:
  - name: Fan out
    optional: true
    parallel:
      count: 1
      fetch:
      - from: /data/report
      shell: mkdir -p /data/report && echo partial > /data/report/r.txt && exit 3
  - name: Read
    shell: cat /data/report/r.txt
  - name: Refused
    optional: true
    parallel:
      count: 1
      transfer:
      - from: /data/report
        to: /elsewhere
        mount: false
      shell: "true"
  - name: Nowhere
    optional: true
    parallel:
      count: 1
      transfer:
      - from: /etc
      shell: "true"`),
    );
    assert.equal(fails.result.status, "passed", `${fails.result.message}\n${fails.log}`);
    assert.match(fails.log, /partial/);
    assert.equal(fails.step("Fan out")?.status, "failed");
    assert.equal(fails.step("Refused")?.status, "failed");
    assert.equal(fails.step("Nowhere")?.status, "failed");
    assert.match(fails.log, /transfer to \/elsewhere: the path is not part of any volume of the worker/);
    assert.match(fails.log, /transfer from \/etc: the path is on no volume of the parent/);
  });

  it("gives services and workers only the global env", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      doc(`    env:
    - name: SHARED
      value: everywhere
      global: true
    - name: LOCAL
      value: steps-only
  services:
    svc:
      shell: echo "service sees [$SHARED] [\${LOCAL:-unset}]" && sleep 30
  steps:
  - name: Step
    shell: echo "step sees [$SHARED] [$LOCAL]"
  - name: Workers
    parallel:
      count: 1
      shell: echo "worker sees [$SHARED] [\${LOCAL:-unset}]"`),
    );
    assert.equal(run.result.status, "passed", `${run.result.message}\n${run.log}`);
    assert.match(run.log, /service sees \[everywhere\] \[unset\]/);
    assert.match(run.log, /step sees \[everywhere\] \[steps-only\]/);
    assert.match(run.log, /worker sees \[everywhere\] \[unset\]/);
  });
});
