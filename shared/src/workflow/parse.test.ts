import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseWorkflowDocuments, parseWorkflowText, validateWorkflow } from "./parse.ts";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

const minimal = (steps: string) => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: demo
spec:
  steps:
${steps}`;

const issuesOf = (text: string) => {
  const result = parseWorkflowText(text);
  assert.equal(result.ok, false, "expected the document to be refused");
  return result.ok ? [] : result.issues;
};

describe("parseWorkflowText", () => {
  it("accepts a document using every field group, unchanged", () => {
    const result = parseWorkflowText(fixture("kitchen-sink.yaml"));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
    const { spec, metadata } = result.workflow;
    assert.equal(metadata.labels?.["app.kubernetes.io/part-of"], "shop");
    assert.equal(spec.config?.workers?.default, 3);
    assert.equal(spec.content?.files?.[1]?.mode, 0o755, "YAML 1.1 octal, as Kubernetes reads it");
    assert.deepEqual(spec.container?.resources?.limits, { cpu: 2, memory: "2Gi" });
    assert.equal(spec.events?.[0]?.cronjob?.timezone, "Europe/Berlin");
    assert.equal(spec.steps?.[2]?.parallel?.after?.[0]?.shell, "echo done");
    assert.deepEqual(spec.steps?.[3]?.execute?.workflows?.[0]?.matrix?.region, ["eu", "us"]);
    assert.deepEqual(result.warnings, []);
  });

  it("accepts JSON, which is YAML", () => {
    const json = JSON.stringify({
      apiVersion: "testworkflows.testkube.io/v1",
      kind: "TestWorkflow",
      metadata: { name: "from-json" },
      spec: { steps: [{ name: "hello", shell: "echo hi", timeout: "1m30s" }] },
    });
    const result = parseWorkflowText(json);
    assert.ok(result.ok);
    assert.equal(result.workflow.spec.steps?.[0]?.timeout, "1m30s");
  });

  it("accepts expressions where numbers and booleans are expected", () => {
    const result = parseWorkflowText(
      minimal(`  - shell: echo
    optional: '{{ config.lenient }}'
    retry: {count: '{{ config.retries }}'}
    timeout: '{{ config.timeout }}'
  - parallel:
      count: 'config.workers'
      parallelism: '{{ config.p }}'
      shell: echo`),
    );
    assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  });

  it("names an unknown field by its path, at the key's line and column", () => {
    const issues = issuesOf(minimal("  - shell: a\n  - shell: b\n  - name: c\n    rnu:\n      shell: c\n"));
    assert.deepEqual(issues, [{ path: "spec.steps[2].rnu", message: "unknown field", line: 10, column: 5 }]);
  });

  it("finds unknown fields deep in nested steps and parallel blocks", () => {
    const issues = issuesOf(
      minimal("  - steps:\n    - parallel:\n        steps:\n        - shell: x\n          imagee: alpine\n"),
    );
    assert.equal(issues[0]?.path, "spec.steps[0].steps[0].parallel.steps[0].imagee");
    assert.equal(issues[0]?.line, 11);
  });

  it("reports wrong types, bad durations and missing fields with their lines", () => {
    const issues = issuesOf(
      minimal(`  - shell: echo
    timeout: 10
  - shell: echo
    delay: 1x
  - retry: {count: many}
    optional: maybe
  - run:
      env:
      - value: x`),
    );
    assert.deepEqual(
      issues.map((i) => [i.path, i.line]),
      [
        ["spec.steps[0].timeout", 8],
        ["spec.steps[1].delay", 10],
        ["spec.steps[2].retry.count", 11],
        ["spec.steps[2].optional", 12],
        ["spec.steps[3].run.env[0].name", 15],
      ],
    );
    assert.match(issues[0]?.message ?? "", /duration/);
    assert.match(issues[1]?.message ?? "", /invalid duration "1x"/);
    assert.equal(issues[4]?.message, "is required");
  });

  it("refuses another apiVersion, another kind and a missing name", () => {
    assert.equal(
      issuesOf("apiVersion: v1\nkind: TestWorkflow\nmetadata: {name: x}\nspec: {}\n")[0]?.path,
      "apiVersion",
    );
    const kind = issuesOf("apiVersion: tests.testkube.io/v3\nkind: Test\nmetadata: {name: x}\n")[0];
    assert.equal(kind?.path, "kind");
    assert.match(kind?.message ?? "", /unsupported kind "Test"/);
    const name = issuesOf(
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {}\nspec: {}\n",
    );
    assert.deepEqual(
      name.map((i) => i.path),
      ["metadata.name"],
    );
  });

  it("turns YAML syntax errors into issues with a line", () => {
    const issues = issuesOf("apiVersion: testworkflows.testkube.io/v1\nkind: [TestWorkflow\nspec: {}\n");
    assert.ok(issues.length > 0);
    assert.ok(issues.every((i) => typeof i.line === "number"));
  });

  it("requires exactly one TestWorkflow, ignoring templates beside it with a warning", () => {
    const two = `${minimal("  - shell: a\n")}---\n${minimal("  - shell: b\n")}`;
    const refused = issuesOf(two);
    assert.match(refused[0]?.message ?? "", /exactly one TestWorkflow document, found 2/);
    assert.equal(refused[0]?.line, 9);
    const first = parseWorkflowText(two, { select: "first" });
    assert.ok(first.ok);
    assert.equal(first.workflow.spec.steps?.[0]?.shell, "a");
    const withTemplate = `${fixture("template.yaml")}---\n${minimal("  - shell: a\n")}`;
    const result = parseWorkflowText(withTemplate);
    assert.ok(result.ok);
    assert.match(result.warnings[0] ?? "", /^line 2: document 1 \(TestWorkflowTemplate\) is not applied$/);
  });

  it("says so when the text holds no TestWorkflow", () => {
    assert.match(issuesOf("")[0]?.message ?? "", /no document/);
    assert.match(
      issuesOf(`${fixture("template.yaml")}---\n${fixture("template.yaml")}`)[0]?.message ?? "",
      /no TestWorkflow/,
    );
  });

  it("refuses keys that would reach an object's prototype", () => {
    const issues = issuesOf(minimal("  - shell: a\n    __proto__: {polluted: true}\n"));
    assert.equal(issues[0]?.path, "spec.steps[0].__proto__");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("parseWorkflowDocuments", () => {
  it("returns each document with its kind and line, skipping empty ones", () => {
    const docs = parseWorkflowDocuments(
      `---\n${fixture("template.yaml")}---\n${minimal("  - shell: a\n")}---\n`,
    );
    assert.deepEqual(
      docs.map((d) => [d.index, d.kind, d.ok, d.line]),
      [
        [0, "TestWorkflowTemplate", true, 3],
        [1, "TestWorkflow", true, 41],
      ],
    );
  });

  it("validates templates with their own rules (no `use` in template steps)", () => {
    const withUse = fixture("template.yaml").replace(
      /^( *)- name: Cleanup\n/m,
      (line, indent) => `${line}${indent}  use: []\n`,
    );
    const docs = parseWorkflowDocuments(withUse);
    const doc = docs[0];
    assert.ok(doc !== undefined && !doc.ok);
    assert.equal(doc.issues[0]?.path, "spec.after[0].use");
  });
});

describe("validateWorkflow", () => {
  it("validates parsed data without positions", () => {
    const result = validateWorkflow({
      apiVersion: "testworkflows.testkube.io/v1",
      kind: "TestWorkflow",
      metadata: { name: "x" },
      spec: { stepz: [] },
    });
    assert.deepEqual(result, { ok: false, issues: [{ path: "spec.stepz", message: "unknown field" }] });
    assert.equal(validateWorkflow(null).ok, false);
  });
});
