/**
 * The step tree a run is created with: its steps carry the warnings of the runtime the run goes
 * to. A run whose steps name images goes to a container runtime whenever one is online, so its
 * steps do not say the process runner ignores their images; a run without images keeps the
 * process runner's warnings.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseWorkflowText } from "@assay/shared/workflow";
import { initialStepStates } from "./step-tree.ts";

const specOf = (steps: string) => {
  const parsed = parseWorkflowText(
    `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: w\nspec:\n  steps:\n${steps}`,
    { select: "first" },
  );
  assert.ok(parsed.ok);
  return parsed.workflow;
};

test("a step in an image carries a container runtime's warnings, not the process runner's", () => {
  const { steps, runtimeNeed } = initialStepStates(
    specOf("  - name: build\n    container: {image: 'busybox:1.36'}\n    shell: echo hi\n"),
  );
  assert.equal(runtimeNeed?.containers, "preferred");
  assert.deepEqual(
    steps.map((s) => [s.name, s.warnings]),
    [["build", []]],
  );
});

test("a run without images keeps the process runner's warnings on its steps", () => {
  const { steps, runtimeNeed } = initialStepStates(
    specOf("  - name: heavy\n    container:\n      resources: {limits: {cpu: '1'}}\n    shell: echo hi\n"),
  );
  assert.equal(runtimeNeed, undefined);
  assert.match(steps[0]?.warnings.join("\n") ?? "", /not enforced by the process runner/);
});
