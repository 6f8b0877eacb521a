/**
 * Testkube's step outputs end to end on the process runtime: a step writes
 * `/testkube/outputs/<name>` and files in `{{ step.results }}`; later steps read
 * `{{ step.<id>.outputs.<name> }}` and `{{ step.<id>.results }}`.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { resolveStepIds, stepIdOf } from "./step-outputs.ts";
import { runOnProcess } from "./test-run-process.ts";
import { step } from "./test-support.ts";
import type { RunnerStep } from "./types.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "assay-step-outputs-test-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// The steps of the corpus fixture special-cases-step-outputs, without its image and template.
const SHARING = `  steps:
  - name: Produce
    id: produce
    shell: |
      echo "my_token" > /testkube/outputs/token
      echo '#!/bin/sh' > {{step.results}}/app
      echo 'echo "running"' >> {{step.results}}/app
      chmod +x {{step.results}}/app
  - name: Consume
    id: consume
    shell: |
      test "{{step.produce.outputs.token}}" = "my_token" || { echo "FAIL: output mismatch"; exit 1; }
      test -x {{step.produce.results}}/app || { echo "FAIL: binary not found"; exit 1; }
      {{step.produce.results}}/app
      echo "consumed" > /testkube/outputs/status
  - name: Verify
    id: verify
    shell: |
      test "{{step.consume.outputs.status}}" = "consumed" || { echo "FAIL: chained output"; exit 1; }
      test "{{step.produce.outputs.token}}" = "my_token" || { echo "FAIL: step1 output gone"; exit 1; }
      test -x {{step.produce.results}}/app || { echo "FAIL: step1 file gone"; exit 1; }
      echo "verified"
`;

describe("step outputs", () => {
  it("passes values through /testkube/outputs and files through step.results", async () => {
    const r = await runOnProcess(root, SHARING);
    assert.equal(r.result.status, "passed", r.text());
    for (const ref of ["r1", "r2", "r3"]) assert.equal(r.final(ref)?.status, "passed", r.text());
    assert.match(r.textOf("r2"), /^running$/m);
    assert.match(r.textOf("r3"), /^verified$/m);
    assert.doesNotMatch(r.text(), /FAIL/);
  });

  it("names a step without an id after its name, skips large outputs and reads a missing one as empty", async () => {
    const r = await runOnProcess(
      root,
      `  steps:
  - name: Make Token!
    shell: |
      printf '  abc\\n\\n' > /testkube/outputs/token
      head -c 5000 /dev/zero | tr '\\0' x > /testkube/outputs/big
  - name: read
    shell: |
      echo "token=[{{ step.make_token.outputs.token }}]"
      echo "big=[{{ step.make_token.outputs.big }}]"
      echo "none=[{{ step.make_token.outputs.none }}]"
  - name: fresh
    shell: ls -A /testkube/outputs | wc -l
`,
    );
    assert.equal(r.result.status, "passed", r.text());
    assert.match(r.textOf("r1"), /warning: step output "big" is over 4096 bytes, skipped/);
    assert.match(r.textOf("r2"), /^token=\[abc\]$/m);
    assert.match(r.textOf("r2"), /^big=\[\]$/m);
    assert.match(r.textOf("r2"), /^none=\[\]$/m);
    // Each step starts with an empty outputs directory.
    assert.match(r.textOf("r3"), /^\s*0$/m);
  });

  it("fails a step whose output check fails, like the fixture's guard", async () => {
    const r = await runOnProcess(
      root,
      `  steps:
  - name: produce
    shell: echo other > /testkube/outputs/token
  - name: consume
    shell: |
      test "{{ step.produce.outputs.token }}" = "my_token" || { echo "FAIL: output mismatch"; exit 1; }
`,
    );
    assert.equal(r.result.status, "failed");
    assert.equal(r.final("r2")?.status, "failed");
    assert.match(r.textOf("r2"), /FAIL: output mismatch/);
  });

  it("derives ids as Testkube does", () => {
    assert.equal(stepIdOf({ name: "Run E2E -- tests" }), "run_e2e_tests");
    assert.equal(stepIdOf({ id: "given", name: "Other" }), "given");
    assert.equal(stepIdOf({ name: "" }), "");
  });

  it("resolves a pod's ids as Testkube does: clashes get _1, _2; invalid names none; workers apart", () => {
    const leaf = (ref: string, name: string, extra: Partial<RunnerStep> = {}) =>
      step(ref, { name, ...extra });
    const ids = resolveStepIds([
      leaf("a", "Build"),
      leaf("b", "build", { steps: [leaf("b1", "Build!")] }),
      leaf("c", "Прогон"),
      leaf("d", "other", { id: "given" }),
      leaf("p", "Par", { steps: [leaf("w", "worker 1", { kind: "worker", steps: [leaf("w1", "Build")] })] }),
      leaf("s", "db", { kind: "service" }),
    ]);
    assert.deepEqual(Object.fromEntries(ids), {
      a: "build",
      b: "build_1",
      b1: "build_2",
      d: "given",
      p: "par",
    });
  });
});
