import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "../parse.ts";
import { RUNTIME_FEATURES } from "../runtimes.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { planWorkflow } from "./plan.ts";

const workflow = (steps: string): TestWorkflow => {
  const parsed = parseWorkflowText(
    `kind: TestWorkflow\napiVersion: testworkflows.testkube.io/v1\nmetadata: {name: suite}\nspec:\n  config:\n    env: {type: string, default: staging}\n  execution:\n    tags: {team: qa, assay.io/schedule: nightly}\n  steps:\n${steps}`,
  );
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.workflow as TestWorkflow;
};
const features = RUNTIME_FEATURES.process;

describe("planning execute", () => {
  it("fans each entry out into child runs with config rendered per instance", () => {
    const plan = planWorkflow(
      workflow(`  - execute:
      parallelism: 3
      workflows:
      - name: e2e
        matrix: {browser: [chrome, firefox]}
        config: {browser: "{{ matrix.browser }}", target: "{{ config.env }}", retries: 2}
      - name: "api-{{ config.env }}"
        count: 2
        config: {shard: "{{ index + 1 }}"}
        description: "shard {{ index + 1 }} of {{ count }}"
`),
      { features },
    );
    assert.deepEqual(plan.unsupported, []);
    assert.deepEqual(plan.steps[0]?.execute, {
      parallelism: 3,
      async: false,
      tags: { team: "qa" },
      runs: [
        { workflow: "e2e", config: { browser: "chrome", target: "staging", retries: "2" } },
        { workflow: "e2e", config: { browser: "firefox", target: "staging", retries: "2" } },
        { workflow: "api-staging", config: { shard: "1" }, description: "shard 1 of 2" },
        { workflow: "api-staging", config: { shard: "2" }, description: "shard 2 of 2" },
      ],
    });
    assert.equal(plan.steps[0]?.name, "Execute");
  });

  it("refuses what Testkube refuses and what has no equivalent here, with the path", () => {
    const plan = planWorkflow(
      workflow(`  - execute:
      tests: [{name: legacy}]
      workflows:
      - selector: {matchExpressions: [{key: a, operator: Exists}]}
      - description: nothing named
      - name: x
        tarball: {files: {from: /data/out}}
`),
      { features },
    );
    assert.deepEqual(
      plan.unsupported.map((u) => u.path),
      [
        "spec.steps[0].execute.tests",
        "spec.steps[0].execute.workflows[0].selector.matchExpressions",
        "spec.steps[0].execute.workflows[1]",
        "spec.steps[0].execute.workflows[2].tarball",
      ],
    );
  });

  it("is unsupported by an agent that does not announce it", () => {
    const plan = planWorkflow(workflow("  - execute:\n      workflows: [{name: x}]\n"), { features: [] });
    assert.deepEqual(
      plan.unsupported.map((u) => `${u.feature} ${u.path}`),
      ["execute spec.steps[0].execute"],
    );
  });
});
