import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowDocuments, parseWorkflowText } from "../parse.ts";
import { planWorkflow } from "../plan/plan.ts";
import type { TestWorkflow, TestWorkflowTemplate } from "../schema/workflow.ts";
import { referencedTemplates, resolveTemplates } from "./index.ts";

const head = (kind: string, name: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n`;
const wf = (spec: string): TestWorkflow => {
  const r = parseWorkflowText(head("TestWorkflow", "demo") + spec);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.issues));
  return r.workflow;
};
const templates = (...texts: string[]): Map<string, TestWorkflowTemplate> => {
  const map = new Map<string, TestWorkflowTemplate>();
  for (const text of texts) {
    const [doc] = parseWorkflowDocuments(text);
    assert.ok(doc?.ok && doc.document.kind === "TestWorkflowTemplate", JSON.stringify(doc));
    map.set(doc.document.metadata.name, doc.document as TestWorkflowTemplate);
  }
  return map;
};

const k6 = `${head("TestWorkflowTemplate", "official--k6--v1")}  config:
    version: {type: string, default: "0.49.0"}
    vus: {type: integer, default: 1}
    run: {type: boolean, default: true}
  container:
    image: grafana/k6:{{ config.version }}
    env:
    - {name: A, value: template}
    - {name: B, value: template}
  content:
    files: [{path: /data/a.js, content: "a"}]
  setup:
  - name: tpl-setup
    shell: echo setup {{ config.vus + 1 }}
  steps:
  - name: tpl-step
    shell: k6 run --vus {{ config.vus }} {{ env.X }}
    condition: config.run && passed
  after:
  - name: tpl-after
    shell: echo after
`;
const org = `${head("TestWorkflowTemplate", "org")}  container:
    env: [{name: ORG, value: acme}]
  steps: [{name: org-step, shell: echo org}]
  after: [{name: org-after, shell: echo org-after}]
`;

describe("resolveTemplates", () => {
  it("merges spec-level templates in Testkube's order, with use[].config over defaults", () => {
    const workflow = wf(`  config:
    v: {type: string, default: "0.50.1"}
  use:
  - name: official/k6/v1
    config: {version: "{{ config.v }}", vus: 5}
  - name: org
  container:
    env: [{name: B, value: workflow}]
    workingDir: /data
  content:
    files: [{path: /data/b.js, content: "b"}]
  setup: [{name: wf-setup, shell: echo}]
  steps: [{name: wf-step, shell: echo}]
  after: [{name: wf-after, shell: echo}]
`);
    assert.deepEqual(referencedTemplates(workflow), ["official--k6--v1", "org"]);
    const result = resolveTemplates(workflow, templates(k6, org));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problem));
    const spec = result.workflow.spec;
    assert.equal(spec.use, undefined);
    assert.deepEqual(
      [spec.setup, spec.steps, spec.after].map((l) => l?.map((s) => s.name)),
      [
        ["tpl-setup", "wf-setup"],
        ["tpl-step", "org-step", "wf-step"],
        ["wf-after", "org-after", "tpl-after"],
      ],
    );
    assert.equal(spec.container?.image, "grafana/k6:{{ config.v }}");
    assert.deepEqual(
      spec.container?.env?.map((e) => `${e.name}=${e.value}`),
      ["A=template", "ORG=acme", "B=workflow"],
    );
    assert.equal(spec.container?.workingDir, "/data");
    assert.deepEqual(
      spec.content?.files?.map((f) => f.path),
      ["/data/a.js", "/data/b.js"],
    );
    assert.equal(spec.steps?.[0]?.shell, "k6 run --vus 5 {{ env.X }}");
    assert.equal(spec.steps?.[0]?.condition, "passed");
    assert.equal(spec.setup?.[0]?.shell, "echo setup 6");
    // The workflow's own config then resolves what the template handed over.
    const plan = planWorkflow(result.workflow, { config: { v: "1.0.0" }, features: ["content.files"] });
    assert.deepEqual(plan.unsupported, []);
    assert.ok(!JSON.stringify(plan.steps).includes("{{"), JSON.stringify(plan.steps));
    const reparsed = parseWorkflowText(JSON.stringify(result.workflow));
    assert.ok(reparsed.ok, "the resolved workflow is a valid document");
  });

  it("resolves step use and step template, and reports a missing template with its path", () => {
    const workflow = wf(`  steps:
  - name: outer
    use: [{name: org}]
    steps: [{name: own, shell: echo own}]
  - template: {name: official/k6/v1, config: {run: false}}
  - steps:
    - template: {name: nope}
`);
    const result = resolveTemplates(workflow, templates(k6, org));
    assert.ok(!result.ok);
    assert.deepEqual(result.problem, {
      path: "spec.steps[2].steps[0].template",
      message: "template nope not found (spec.steps[2].steps[0].template)",
      missing: "nope",
    });
    const fixed = wf(`  steps:
  - name: outer
    use: [{name: org}]
    steps: [{name: own, shell: echo own}]
  - template: {name: official/k6/v1, config: {run: false}}
`);
    const ok = resolveTemplates(fixed, templates(k6, org));
    assert.ok(ok.ok);
    const [outer, tpl] = ok.workflow.spec.steps ?? [];
    assert.deepEqual(
      outer?.steps?.map((s) => s.name),
      ["org-step", "own", "org-after"],
    );
    assert.deepEqual(outer?.container?.env, [{ name: "ORG", value: "acme" }]);
    // The template has a container, so it is kept as one isolated child step.
    assert.deepEqual(
      tpl?.steps?.[0]?.setup?.map((s) => s.name),
      ["tpl-setup"],
    );
    assert.deepEqual(
      tpl?.steps?.[0]?.steps?.map((s) => s.name),
      ["tpl-step", "tpl-after"],
    );
    assert.equal(tpl?.steps?.[0]?.steps?.[0]?.condition, "false");
  });

  it("refuses config a template does not declare", () => {
    const result = resolveTemplates(wf("  use: [{name: org, config: {x: 1}}]\n"), templates(org));
    assert.ok(!result.ok);
    assert.equal(result.problem.path, "spec.use[0].config");
    assert.match(result.problem.message, /has no config parameter x/);
  });
});
