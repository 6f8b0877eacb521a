/**
 * The runtime contract: one suite, run against the process runtime and the Docker runtime, of
 * what every runtime must do the same way: shell and command steps, env (with CI=1), /data
 * shared between steps, working directories, exit codes, timeouts, abort, and services reached
 * by `{{ services.NAME.0.ip }}` after their readiness probe passed. The Docker half needs an
 * engine and fails saying so when none answers.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "@assay/shared/time";
import { planSpec } from "../plan-spec.ts";
import { startPlanRun } from "../run-plan.ts";
import { createRecordingSink, freePort } from "../test-support.ts";
import { createDockerRuntime } from "./docker/docker-runtime.ts";
import { buildBusyboxImage, requireDocker, SHELL_APPLETS } from "./docker/test-images.ts";
import { createProcessRuntime } from "./process/process-runtime.ts";
import type { StepRuntime } from "./runtime.ts";

const IMAGE = "assay-test/contract-shell:1";
const doc = (spec: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: t}\nspec:\n  container: {image: "${IMAGE}"}\n${spec}`;

const contract = (name: string, makeRuntime: () => Promise<StepRuntime>) =>
  describe(`runtime contract: ${name}`, () => {
    let root: string;
    let runtime: StepRuntime;
    before(async () => {
      runtime = await makeRuntime();
      root = await mkdtemp(join(tmpdir(), `assay-contract-${name}-`));
    });
    after(async () => {
      await rm(root, { recursive: true, force: true });
    });

    const start = async (spec: string, config: Record<string, string> = {}) => {
      const planned = planSpec(doc(spec), config, runtime);
      assert.ok(planned.ok, JSON.stringify(planned));
      assert.deepEqual(planned.plan.unsupported, []);
      const workspace = await mkdtemp(join(root, "ws-"));
      const recorder = createRecordingSink();
      const run = startPlanRun({
        plan: planned.plan,
        workspace,
        sink: recorder.sink,
        baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root },
        secrets: [],
        killGraceMs: 500,
        clock: systemClock,
        runtime,
        executionId: `contract-${name}`,
      });
      // Output without the runner's own `[assay]` lines (warnings, pull progress).
      const out = (ref: string) =>
        recorder
          .textOf(ref)
          .split("\n")
          .filter((l) => !l.startsWith("[assay]"))
          .join("\n");
      return { ...recorder, textOf: out, run };
    };
    const runYaml = async (spec: string, config?: Record<string, string>) => {
      const started = await start(spec, config);
      return { ...started, result: await started.run.done };
    };

    it("runs shell and command steps with env, CI=1, /data shared between steps and working dirs", async () => {
      const { result, textOf } = await runYaml(`  steps:
  - name: write
    workingDir: /data/sub
    run:
      env: [{name: GREETING, value: hello}]
      shell: echo "$GREETING $CI" > note.txt && pwd
  - name: read
    run:
      command: [cat]
      args: [/data/sub/note.txt]
`);
      assert.equal(result.status, "passed", result.message);
      assert.match(textOf("r1"), /\/sub\n/);
      assert.equal(textOf("r2"), "hello 1\n");
    });

    it("fails a step with its exit code and skips the rest", async () => {
      const { result, final } = await runYaml(`  steps:
  - shell: echo before; exit 3
  - shell: echo never
`);
      assert.equal(result.status, "failed");
      assert.equal(final("r1")?.exitCode, 3);
      assert.equal(final("r2")?.status, "skipped");
    });

    it("ends a step that outlives its timeout as timeout", async () => {
      const { result, final } = await runYaml(`  steps:
  - timeout: 1s
    shell: sleep 30
`);
      assert.equal(result.status, "failed");
      assert.equal(final("r1")?.status, "timeout");
    });

    it("aborts a running step and still runs always-steps", async () => {
      const { run, textOf, final } = await start(`  steps:
  - shell: echo started; sleep 30
  - shell: echo skipped
  - condition: always
    shell: echo cleanup
`);
      const deadline = Date.now() + 60_000;
      while (!textOf("r1").includes("started") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      run.abort("stop requested");
      const result = await run.done;
      assert.equal(result.status, "aborted");
      assert.equal(final("r1")?.status, "aborted");
      assert.equal(final("r2")?.status, "skipped");
      assert.equal(textOf("r3"), "cleanup\n");
    });

    it("pauses a running unit where it is and resumes it", async () => {
      const { run, textOf, final, events } = await start(`  steps:
  - shell: i=0; while [ $i -lt 60 ]; do echo "t $i"; i=$((i+1)); sleep 0.1; done
  - shell: echo next
`);
      const deadline = Date.now() + 60_000;
      while (!textOf("r1").includes("t 2") && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      run.pause("paused by the test");
      // Output already written lands; then the frozen unit writes nothing more.
      let seen = "";
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        if (textOf("r1") === seen) break;
        seen = textOf("r1");
      }
      assert.doesNotMatch(seen, /t 59/);
      assert.equal(final("r1"), undefined, "still running while paused");
      assert.equal(events.filter((e) => e.ref === "r2").length, 0, "the next step waits");
      run.resume("resumed by the test");
      const result = await run.done;
      assert.equal(result.status, "passed");
      assert.match(textOf("r1"), /t 59/);
      assert.equal(textOf("r2"), "next\n");
    });

    it("reaches a ready service by {{ services.NAME.0.ip }}", async () => {
      const port = String(await freePort());
      const { result, textOf, final } = await runYaml(
        `  config: {port: {type: string}}
  services:
    web:
      shell: mkdir -p /data/www && echo served > /data/www/index.html && exec busybox httpd -f -p {{ config.port }} -h /data/www
      readinessProbe:
        httpGet: {port: "{{ config.port }}", path: /index.html}
        periodSeconds: 1
  steps:
  - shell: busybox wget -q -O - "http://{{ services.web.0.ip }}:{{ config.port }}/index.html"
`,
        { port },
      );
      assert.equal(result.status, "passed", result.message);
      assert.equal(textOf("r1"), "served\n");
      assert.equal(final("s1")?.status, "passed");
    });

    it("fails the execution when a service exits non-zero", async () => {
      const { result, final } = await runYaml(`  services:
    flaky:
      shell: echo going; exit 1
  steps:
  - shell: sleep 1
`);
      assert.equal(result.status, "failed");
      assert.equal(final("s1")?.status, "failed");
      assert.match(result.message, /flaky/);
    });
  });

contract("process", async () => createProcessRuntime());
contract("docker", async () => {
  const docker = await requireDocker();
  await buildBusyboxImage(docker, { tag: IMAGE, applets: SHELL_APPLETS });
  return createDockerRuntime({ agentId: `contract-test-${process.pid}`, docker });
});
