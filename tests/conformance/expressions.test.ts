/**
 * Run-time expressions as Testkube evaluates them, run by the real agent on a real local
 * control plane: execution identity inside steps, `&&` / `||` at one level, and shards cut as
 * Testkube's toolkit cuts them.
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
});
