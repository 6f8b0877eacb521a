import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "../parse.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { planWorkflow } from "./plan.ts";
import type { PlanOptions } from "./types.ts";

const workflow = (steps: string): TestWorkflow => {
  const text = `kind: TestWorkflow\nmetadata:\n  name: cloud-e2e\n  labels: {app.kubernetes.io/part-of: shop, team: qa}\nspec:\n  steps:\n${steps}`;
  const result = parseWorkflowText(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.workflow;
};

const started: PlanOptions = {
  execution: { id: "01JRUN", name: "cloud-e2e-01JRUN", number: 7, scheduledAt: "2026-12-02T03:00:00.000Z" },
  place: { organizationId: "acme", environmentId: "staging", dashboardUrl: "https://assay.example" },
};

const shell = (expression: string, options: PlanOptions = started) => {
  const plan = planWorkflow(workflow(`  - shell: echo ${expression}\n`), options);
  return { shell: plan.steps[0]?.shell, unsupported: plan.unsupported };
};

describe("run variables", () => {
  it("reads the run's organization, environment and dashboard", () => {
    const got = shell("{{ organization.id }} {{ environment.id }} {{ dashboard.url }}");
    assert.deepEqual(got, { shell: "echo acme staging https://assay.example", unsupported: [] });
  });

  it("derives addresses from dashboard.url as Testkube's documents do", () => {
    const got = shell(`{{ join(list(at(split(dashboard.url, "//"), 0), "api.assay.example"), "//") }}`);
    assert.equal(got.shell, "echo https://api.assay.example");
  });

  it("reads the execution's fields: a run is its own group and its webhooks are on", () => {
    const got = shell(
      "{{ execution.number }} {{ execution.groupId }} {{ execution.scheduledAt }} {{ execution.disableWebhooks }}",
    );
    assert.equal(got.shell, "echo 7 01JRUN 2026-12-02T03:00:00.000Z false");
  });

  it("reads the workflow's labels, also under labels with escaped keys", () => {
    const got = shell(
      `{{ workflow.name }} {{ workflow.labels["app.kubernetes.io/part-of"] }} {{ labels.app_kubernetes_io_part_of }} {{ labels.team }}`,
    );
    assert.equal(got.shell, "echo cloud-e2e shop shop qa");
  });

  it("are empty when planned without a run, as at apply time", () => {
    const got = shell("[{{ organization.id }}][{{ environment.id }}][{{ dashboard.url }}]", {});
    assert.deepEqual(got, { shell: "echo [][][]", unsupported: [] });
  });

  for (const [name, why] of [
    ["resource.id", /variable resource is not available: .*Kubernetes resources/],
    ["pvcs.data.name", /variable pvcs is not available: .*persistent volume claims/],
    ["internal.namespace", /variable internal is not available: .*cluster and agent settings/],
  ] as const) {
    it(`refuses ${name}, saying why`, () => {
      const got = shell(`{{ ${name} }}`);
      assert.equal(got.unsupported.length, 1);
      assert.equal(got.unsupported[0]?.feature, "expressions");
      assert.match(got.unsupported[0]?.message ?? "", why);
    });
  }
});
