import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCondition, evaluateTemplate } from "../expressions/index.ts";
import { parseWorkflowText } from "../parse.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { planWorkflow } from "./plan.ts";

const workflow = (spec: string): TestWorkflow => {
  const text = `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: demo\n  labels: {team: qa}\nspec:\n${spec}`;
  const result = parseWorkflowText(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.workflow;
};

describe("planWorkflow expressions", () => {
  it("folds config, execution and workflow with typed config values", () => {
    const plan = planWorkflow(
      workflow(`  config:
    workers: {type: integer, default: 2}
    debug: {type: boolean, default: false}
  execution:
    tags: {suite: smoke}
  steps:
  - shell: echo {{ config.workers + 1 }} {{ workflow.name }}/{{ workflow.labels.team }} {{ execution.id }} {{ execution.tags.suite }} {{ shellquote("a b") }}
    timeout: '{{ config.workers * 30 }}s'
    optional: '{{ !config.debug }}'
`),
      { execution: { id: "01ABC", tags: { by: "cli" } } },
    );
    assert.deepEqual(plan.unsupported, []);
    assert.equal(plan.steps[0]?.shell, "echo 3 demo/qa 01ABC smoke 'a b'");
    assert.equal(plan.steps[0]?.timeoutMs, 60_000);
    assert.equal(plan.steps[0]?.optional, true);
  });

  it("folds conditions to keywords where config decides, and keeps runtime ones", () => {
    const doc = workflow(`  config:
    enabled: {type: boolean, default: true}
  steps:
  - shell: "true"
    condition: config.enabled && passed
  - shell: "true"
    condition: "!config.enabled"
  - shell: "true"
    condition: failed || config.enabled
  - shell: "true"
    condition: status == 'failed' && config.enabled
    retry: {count: 2, until: 'self.passed && config.enabled'}
`);
    const plan = planWorkflow(doc, { features: ["expressions"] });
    assert.deepEqual(
      plan.steps.map((s) => s.condition),
      ["passed", "never", "always", 'status == "failed"'],
    );
    assert.equal(plan.steps[3]?.retry?.until, "passed");
    assert.deepEqual(plan.unsupported, []);
    const condition = plan.steps[3]?.condition ?? "";
    assert.equal(evaluateCondition(condition, { variables: { status: "failed" } }), true);
    const without = planWorkflow(doc);
    assert.deepEqual(
      without.unsupported.map((u) => [u.path, u.feature]),
      [["spec.steps[3].condition", "expressions"]],
    );
  });

  it("leaves fan-out values for the runner and reports errors with the expression", () => {
    const plan = planWorkflow(
      workflow(`  config:
    name: {type: string, default: x}
  steps:
  - shell: echo {{ config.name }}-{{ index + 1 }}
  - shell: echo {{ nope(1) }}
  - shell: echo {{ config.missing }}
`),
      { features: ["expressions"] },
    );
    assert.equal(plan.steps[0]?.shell, "echo x-{{ index + 1 }}");
    assert.equal(evaluateTemplate(plan.steps[0]?.shell ?? "", { variables: { index: 1 } }), "echo x-2");
    assert.deepEqual(
      plan.unsupported.map((u) => [u.path, u.feature]),
      [
        ["spec.steps[1].shell", "expressions"],
        ["spec.steps[2].shell", "expressions"],
      ],
    );
    assert.match(plan.unsupported[0]?.message ?? "", /unknown function nope\(\).*column/);
    assert.match(plan.unsupported[1]?.message ?? "", /unknown config parameter missing/);
  });

  it("takes runner-known roots from options.variables", () => {
    const plan = planWorkflow(
      workflow("  steps:\n  - shell: echo {{ matrix.browser }} {{ index }}/{{ count }}\n"),
      {
        variables: { matrix: { browser: "firefox" }, index: 0, count: 2 },
      },
    );
    assert.equal(plan.steps[0]?.shell, "echo firefox 0/2");
    assert.deepEqual(plan.unsupported, []);
  });
});
