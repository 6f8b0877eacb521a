import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "@assay/shared/time";
import { planSpec } from "./plan-spec.ts";
import { startExecution } from "./run-execution.ts";
import { createRecordingSink } from "./test-support.ts";

let workRoot: string;
before(async () => {
  workRoot = await mkdtemp(join(tmpdir(), "assay-exec-test-"));
});
after(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

const execute = (specYaml: string, config: Record<string, string> = {}, sensitive: string[] = []) => {
  const recorder = createRecordingSink();
  const run = startExecution({
    executionId: "01J0000000000000000000TEST",
    specYaml,
    config,
    sensitive,
    workRoot,
    sink: recorder.sink,
    baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    planSpec: (spec, config, execution) => planSpec(spec, config, undefined, execution),
    killGraceMs: 300,
    clock: systemClock,
  });
  return { ...recorder, done: run.done };
};

const header = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: smoke
`;

describe("executions from TestWorkflow YAML", () => {
  it("runs a Testkube document: config, /data files and workingDir, nested setup, image warning, masking", async () => {
    const spec = `${header}spec:
  config:
    greeting: { type: string, default: hi }
    password: { type: string, sensitive: true }
  container:
    image: node:22-alpine
  content:
    files:
    - path: /data/conf/hello.txt
      content: from a file
  steps:
  - name: greet
    workingDir: /data/conf
    container:
      env:
      - name: PASSWORD
        value: "{{ config.password }}"
    shell: |
      cat hello.txt; echo
      echo "{{ config.greeting }} $PASSWORD"
  - name: group
    steps:
    - name: inner
      shell: echo inner
`;
    const r = execute(spec, { greeting: "hello", password: "hunter2-secret" }, ["password"]);
    const result = await r.done;
    assert.equal(result.status, "passed", r.text());
    const text = r.text();
    assert.match(text, /from a file\nhello \*{8}\n/);
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /\[assay\] warning: .*node:22-alpine/);
    assert.match(text, /inner\n/);
    assert.deepEqual(
      result.steps.map((s) => s.status),
      ["passed", "passed", "passed"],
    );
    assert.deepEqual(await readdir(workRoot), [], "the workspace was removed");
  });

  it("fails loudly, without running anything, when the document needs what the runner lacks", async () => {
    const spec = `${header}spec:
  services:
    db:
      image: postgres:16
  steps:
  - name: never
    shell: touch ${join(workRoot, "ran")}
`;
    const r = execute(spec);
    const result = await r.done;
    assert.equal(result.status, "failed");
    assert.match(result.message, /spec\.services/);
    assert.match(r.text(), /\[assay\] error: spec\.services/);
    assert.equal(existsSync(join(workRoot, "ran")), false);
  });

  it("fails with the parser's issues for an invalid spec", async () => {
    const r = execute(`${header}spec:\n  steps: 12\n`);
    const result = await r.done;
    assert.equal(result.status, "failed");
    assert.match(r.text(), /spec\.steps/);
  });

  it("gives steps the execution's id and name, as the control plane names it", async () => {
    const r = execute(`${header}spec:
  steps:
  - name: who {{ execution.id }}
    shell: echo "id={{ execution.id }} name={{ execution.name }}"
    container:
      env: [{name: RUN, value: "{{ execution.name }}"}]
  - shell: echo "env=$RUN"
    container:
      env: [{name: RUN, value: "{{ execution.name }}"}]
`);
    const result = await r.done;
    assert.equal(result.status, "passed", r.text());
    assert.match(r.text(), /^id=01J0000000000000000000TEST name=smoke-01J0000000000000000000TEST$/m);
    assert.match(r.text(), /^env=smoke-01J0000000000000000000TEST$/m);
  });
});
