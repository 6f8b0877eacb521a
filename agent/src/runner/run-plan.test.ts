import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "@assay/shared/time";
import { startPlanRun } from "./run-plan.ts";
import { createRecordingSink, step } from "./test-support.ts";
import type { RunnerPlan } from "./types.ts";

let workspace: string;
before(async () => {
  workspace = await mkdtemp(join(tmpdir(), "assay-runner-test-"));
});
after(async () => {
  await rm(workspace, { recursive: true, force: true });
});

const run = (plan: Partial<RunnerPlan> & Pick<RunnerPlan, "steps">, secrets: string[] = []) => {
  const recorder = createRecordingSink();
  const handle = startPlanRun({
    plan: { unsupported: [], ...plan },
    workspace,
    sink: recorder.sink,
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    secrets,
    killGraceMs: 300,
    clock: systemClock,
  });
  return { ...recorder, handle, done: handle.done };
};

/** True while `pid` runs (a zombie nobody reaped yet does not count). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

describe("process runner", () => {
  it("runs nested steps in order with merged env and /data working dirs", async () => {
    const r = run({
      steps: [
        step("group", {
          env: { GREETING: "hello" },
          steps: [
            step("a", { shell: 'echo "$GREETING from $(pwd)"', workingDir: "/data/sub", env: { X: "1" } }),
            step("b", { command: ["/bin/sh"], args: ["-c", "echo b $X; echo err >&2"] }),
          ],
        }),
      ],
    });
    const result = await r.done;
    assert.equal(result.status, "passed");
    assert.match(r.textOf("a"), new RegExp(`hello from ${join(workspace, "sub")}`));
    assert.equal(r.textOf("b").split("\n").sort().join(","), ",b,err");
    assert.deepEqual(
      result.steps.map((s) => [s.ref, s.status]),
      [
        ["group", "passed"],
        ["a", "passed"],
        ["b", "passed"],
      ],
    );
    assert.deepEqual(
      r.events.filter((e) => e.ref === "a").map((e) => e.status),
      ["running", "passed"],
    );
  });

  it("applies conditions passed / failed / always / never after a failure", async () => {
    const r = run({
      steps: [
        step("fails", { shell: "exit 3" }),
        step("skipped", { shell: "echo no" }),
        step("on-failure", { shell: "echo yes", condition: "failed" }),
        step("always", { shell: "echo always", condition: "always" }),
        step("never", { shell: "echo never", condition: "never" }),
      ],
    });
    const result = await r.done;
    assert.equal(result.status, "failed");
    assert.match(result.message, /fails.*exit code 3/);
    assert.equal(r.final("fails")?.exitCode, 3);
    assert.equal(r.final("skipped")?.status, "skipped");
    assert.equal(r.final("on-failure")?.status, "passed");
    assert.equal(r.final("always")?.status, "passed");
    assert.equal(r.final("never")?.status, "skipped");
    assert.doesNotMatch(r.text(), /no|never/);
  });

  it("honours optional and negative steps, and groups pass when non-optional children pass", async () => {
    const r = run({
      steps: [
        step("g", {
          steps: [step("opt", { shell: "exit 1", optional: true }), step("ok", { shell: "true" })],
        }),
        step("neg", { shell: "exit 2", negative: true }),
        step("neg-pass", { shell: "true", negative: true, optional: true }),
        step("after", { shell: "echo after" }),
      ],
    });
    const result = await r.done;
    assert.equal(result.status, "passed");
    assert.equal(r.final("opt")?.status, "failed");
    assert.equal(r.final("g")?.status, "passed");
    assert.equal(r.final("neg")?.status, "passed");
    assert.equal(r.final("neg-pass")?.status, "failed");
    assert.equal(r.final("after")?.status, "passed");
  });

  it("fails a group when a non-optional child fails, and retries a failed step", async () => {
    const counter = join(workspace, "count");
    const r = run({
      steps: [
        step("flaky", {
          shell: `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; [ $n -ge 3 ]`,
          retry: { count: 2 },
        }),
        step("g", { steps: [step("bad", { shell: "exit 1" }), step("later", { shell: "true" })] }),
      ],
    });
    const result = await r.done;
    assert.equal(r.final("flaky")?.status, "passed");
    assert.equal((await readFile(counter, "utf8")).trim(), "3");
    assert.equal(r.final("g")?.status, "failed");
    assert.equal(r.final("later")?.status, "skipped");
    assert.equal(result.status, "failed");
  });

  it("a step timeout kills the whole process group, grandchildren included", async () => {
    const pidFile = join(workspace, "grandchild.pid");
    const r = run({
      steps: [
        step("slow", { shell: `sh -c 'sleep 30' & echo $! > ${pidFile}; sleep 30`, timeoutMs: 300 }),
        step("next", { shell: "echo next" }),
      ],
    });
    const result = await r.done;
    assert.equal(r.final("slow")?.status, "timeout");
    assert.equal(r.final("slow")?.exitCode, -1);
    assert.equal(r.final("next")?.status, "skipped");
    assert.equal(result.status, "failed");
    const grandchild = Number((await readFile(pidFile, "utf8")).trim());
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(grandchild), false, "the grandchild was killed");
  });

  it("SIGKILLs a step that ignores SIGTERM after the grace period", async () => {
    const pidFile = join(workspace, "stubborn.pid");
    const r = run({
      steps: [
        step("stubborn", {
          shell: `echo $$ > ${pidFile}; trap '' TERM; sleep 30 & wait; sleep 30`,
          timeoutMs: 200,
        }),
      ],
    });
    const result = await r.done;
    assert.equal(r.final("stubborn")?.status, "timeout");
    assert.equal(result.status, "failed");
    // The run ended while the step's shell would still be sleeping: it was killed, not waited for.
    const shell = Number((await readFile(pidFile, "utf8")).trim());
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(alive(shell), false, "the shell that ignored SIGTERM was killed");
  });

  it("a whole-run timeout ends the run as timeout", async () => {
    const r = run({
      timeoutMs: 300,
      steps: [step("a", { shell: "sleep 30" }), step("b", { shell: "true", condition: "always" })],
    });
    const result = await r.done;
    assert.equal(result.status, "timeout");
    assert.equal(r.final("a")?.status, "timeout");
    assert.equal(r.final("b")?.status, "skipped");
    assert.match(r.text(), /the run timed out after 300ms/);
  });

  it("does not wait for processes a finished step left in the background", async () => {
    const marker = join(workspace, "background.done");
    const r = run({ steps: [step("bg", { shell: `(sleep 30; echo done > ${marker}) & echo started` })] });
    const result = await r.done;
    assert.equal(result.status, "passed");
    // Waiting for the background process would have let it finish and write its marker.
    assert.equal(existsSync(marker), false, "the run ended without waiting for the background process");
  });

  it("abort kills the running step, skips the rest but runs always-steps", async () => {
    const marker = join(workspace, "cleanup-ran");
    const r = run({
      steps: [
        step("long", { shell: "echo begin; sleep 30" }),
        step("rest", { shell: "echo rest" }),
        step("cleanup", { shell: `touch ${marker}`, condition: "always" }),
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    r.handle.abort("user asked");
    r.handle.abort("twice");
    const result = await r.done;
    assert.equal(result.status, "aborted");
    assert.equal(result.message, "aborted: user asked");
    assert.equal(r.final("long")?.status, "aborted");
    assert.equal(r.final("rest")?.status, "skipped");
    assert.equal(r.final("cleanup")?.status, "passed");
    assert.ok(existsSync(marker));
  });

  it("masks secrets split across reads, in output and messages", async () => {
    const r = run(
      {
        steps: [
          step("leak", {
            shell:
              "printf 'token=s3cr'; sleep 0.1; printf 'et-value done\\n' >&1; echo s3cret-value >&2; exit 1",
          }),
        ],
      },
      ["s3cret-value"],
    );
    await r.done;
    const text = r.text();
    assert.doesNotMatch(text, /s3cr/);
    assert.match(text, /token=\*{8} done/);
  });

  it("marks what a step wrote to stderr, masking each stream across reads", async () => {
    const r = run(
      {
        steps: [
          step("both", {
            shell:
              "echo out-1; echo err-1 >&2; printf 'pw=hun' >&2; sleep 0.1; printf 'ter2 x\\n' >&2; echo out-2; printf 'bye hunt' >&2",
          }),
        ],
      },
      ["hunter2"],
    );
    await r.done;
    assert.equal(r.streamOf("both", "stdout"), "out-1\nout-2\n");
    // The held-back end of stderr (a secret's possible start) is flushed to stderr too.
    assert.equal(r.streamOf("both", "stderr"), "err-1\npw=******** x\nbye hunt");
    assert.ok(r.chunks.every((c) => c.ref !== "both" || c.data.length > 0));
  });

  it("writes step warnings as a visible line before the step's output", async () => {
    const r = run({
      steps: [
        step("w", { shell: "echo body", warnings: ['image "node:20" not used by the process runner'] }),
      ],
    });
    await r.done;
    assert.match(r.textOf("w"), /^\[assay\] warning: image "node:20" not used.*\nbody\n$/);
  });

  it("fails loudly for unsupported features and for conditions that cannot be evaluated", async () => {
    const unsupported = run({
      steps: [step("a", { shell: "echo ran" })],
      unsupported: [
        { path: "spec.services.db", feature: "services", message: "services are not supported yet" },
      ],
    });
    const result = await unsupported.done;
    assert.equal(result.status, "failed");
    assert.match(result.message, /spec\.services\.db: services are not supported yet/);
    assert.match(unsupported.text(), /\[assay\] error: spec\.services\.db: services are not supported yet/);
    assert.doesNotMatch(unsupported.text(), /ran/);

    const expression = run({ steps: [step("e", { shell: "true", condition: "config.x == 'y'" })] });
    const second = await expression.done;
    assert.equal(second.status, "failed");
    // The planner folds config; a runtime expression that still reads it is an error, said so.
    assert.match(expression.final("e")?.message ?? "", /condition "config\.x == 'y'": .*config/);
  });

  it("reports a command that cannot start", async () => {
    const r = run({ steps: [step("missing", { command: ["/nonexistent/tool"] })] });
    const result = await r.done;
    assert.equal(result.status, "failed");
    assert.match(r.final("missing")?.message ?? "", /cannot start "\/nonexistent\/tool"/);
  });
});
