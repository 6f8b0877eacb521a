/**
 * Run-time expressions as Testkube evaluates them, run by the real agent on a real local
 * control plane: execution identity and the run's place (dashboard, environment, organization,
 * workflow labels) inside steps, `&&` / `||` at one level, shards cut as
 * Testkube's toolkit cuts them, shards from `glob()` over files an earlier step wrote (the
 * Cypress sharding example of Testkube's docs), and `.0` after a call.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, step, workflowDoc } from "./agent-fixture.ts";

describe("expressions as Testkube evaluates them (real agent)", () => {
  let fx: AgentFixture;
  before(async () => {
    fx = await startAgentFixture();
  });
  after(async () => {
    await fx?.stop();
  });

  test("execution id and name inside steps; one precedence level for && and ||; uneven shards", async () => {
    const run = await fx.run(
      "expr-fidelity",
      workflowDoc(
        "expr-fidelity",
        `  steps:
  - name: identity
    shell: echo "run {{ execution.name }} id {{ execution.id }}"
  - name: left-to-right
    # Testkube: (true || false) && false, so the step does not run.
    condition: true || false && false
    shell: echo precedence-wrong
  - name: grouped
    condition: true || (false && false)
    shell: echo precedence-grouped
  - name: shards
    parallel:
      shards: {files: [a, b, c, d, e]}
      count: 2
      shell: echo "shard {{ shardIndex }}/{{ shardCount }} {{ join(shard.files, '+') }}"
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, new RegExp(`^run expr-fidelity-${run.id} id ${run.id}$`, "m"));
    assert.equal(step(run, "left-to-right").status, "skipped");
    assert.doesNotMatch(run.log, /precedence-wrong/);
    assert.match(run.log, /precedence-grouped/);
    assert.match(run.log, /^shard 0\/2 a\+b\+c$/m);
    assert.match(run.log, /^shard 1\/2 d\+e$/m);
  });

  test("the run's dashboard, environment, organization, workflow and labels inside steps", async () => {
    const doc = workflowDoc(
      "run-place",
      `  steps:
  - name: place
    shell: |
      echo "dashboard={{ dashboard.url }}"
      echo "env={{ environment.id }} org={{ organization.id }}"
      echo "workflow={{ workflow.name }} team={{ workflow.labels.team }}/{{ labels.app_kubernetes_io_part_of }}"
      echo "run={{ execution.number }} group={{ execution.groupId }}"
`,
    ).replace(
      "  name: run-place\n",
      "  name: run-place\n  labels: {team: qa, app.kubernetes.io/part-of: shop}\n",
    );
    const run = await fx.run("run-place", doc);
    assert.equal(run.status, "passed", run.log);
    const { apiUrl, orgId, envId } = fx.plane;
    assert.match(run.log, new RegExp(`^dashboard=${apiUrl.replace(/\./g, "\\.")}$`, "m"));
    assert.match(run.log, new RegExp(`^env=${envId} org=${orgId}$`, "m"));
    assert.match(run.log, /^workflow=run-place team=qa\/shop$/m);
    assert.match(run.log, new RegExp(`^run=1 group=${run.id}$`, "m"));
  });

  test("shards from glob() decide the workers when the step is reached; .0 after at()", async () => {
    const run = await fx.run(
      "glob-shards",
      workflowDoc(
        "glob-shards",
        `  container: {workingDir: /data/repo}
  services:
    db-main:
      shell: sleep 30
  steps:
  - name: checkout
    shell: |
      mkdir -p /data/repo/cypress/e2e/admin
      for f in login cart admin/users; do echo "it('$f')" > /data/repo/cypress/e2e/$f.cy.js; done
  - name: service address
    shell: echo "db at {{ at(services, "db-main").0.ip }}"
  - name: run tests
    parallel:
      maxCount: 5
      shards: {testFiles: 'glob("cypress/e2e/**/*.js")'}
      description: "{{ index + 1 }} of {{ count }}"
      shell: |
        echo "shard {{ index + 1 }}/{{ count }}: {{ join(map(shard.testFiles, 'relpath(_.value, "/data/repo")'), ",") }}"
        test -f "{{ shard.testFiles.0 }}"
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /^db at 127\.0\.0\.1$/m);
    assert.match(run.log, /^shard 1\/3: cypress\/e2e\/admin\/users\.cy\.js$/m);
    assert.match(run.log, /^shard 2\/3: cypress\/e2e\/cart\.cy\.js$/m);
    assert.match(run.log, /^shard 3\/3: cypress\/e2e\/login\.cy\.js$/m);
    // The control plane's step tree has the five slots planned from maxCount: three ran.
    const slots = run.steps.filter((s) => s.parentRef === step(run, "run tests").ref).map((s) => s.status);
    assert.deepEqual(slots, ["passed", "passed", "passed", "skipped", "skipped"]);
  });
});
