import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "./parse.ts";

const accepted = (text: string) => {
  const result = parseWorkflowText(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result;
};

const refused = (text: string) => {
  const result = parseWorkflowText(text);
  assert.equal(result.ok, false, "expected the document to be refused");
  return result.ok ? [] : result.issues;
};

describe("decoding like Testkube's API", () => {
  it("keeps the last of duplicate keys, with a warning naming the key and its line", () => {
    const result = accepted(`apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: dup
spec:
  steps:
  - name: first
    shell: echo one
    shell: echo two
`);
    assert.equal(result.workflow.spec.steps?.[0]?.shell, "echo two");
    assert.deepEqual(result.warnings, [
      'line 9: spec.steps[0]: duplicate key "shell": the last one is kept, as Testkube keeps it',
    ]);
  });

  it("reads an empty or missing apiVersion as v1, with a warning", () => {
    for (const line of ['apiVersion: ""\n', ""]) {
      const result = accepted(
        `${line}kind: TestWorkflow\nmetadata: {name: empty}\nspec:\n  steps: [{shell: echo}]\n`,
      );
      assert.equal(result.workflow.apiVersion, "testworkflows.testkube.io/v1");
      assert.match(
        result.warnings[0] ?? "",
        /^(line 1: )?apiVersion: is (empty|missing): read as "testworkflows\.testkube\.io\/v1"/,
      );
    }
    const [issue] = refused(
      "apiVersion: testworkflows.testkube.io/v2\nkind: TestWorkflow\nmetadata: {name: x}\n",
    );
    assert.equal(issue?.path, "apiVersion");
  });

  it("accepts content.git.verbosity and retry, says they are not applied, and checks their values", () => {
    const doc = (git: string) => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata: {name: git}
spec:
  content:
    git:
      uri: https://example.com/repo.git
${git}
  steps: [{shell: ls}]
`;
    const result = accepted(doc("      verbosity: quiet\n      retry: {count: 3, delay: 1s}"));
    assert.equal(result.workflow.spec.content?.git?.verbosity, "quiet");
    assert.deepEqual(result.workflow.spec.content?.git?.retry, { count: 3, delay: "1s" });
    assert.deepEqual(
      result.warnings.map((w) => w.replace(/^line \d+: /, "")),
      [
        "spec.content.git.verbosity: is accepted and not applied: the agent clones with its own logging and retries",
        "spec.content.git.retry: is accepted and not applied: the agent clones with its own logging and retries",
      ],
    );
    assert.equal(refused(doc("      verbosity: loud"))[0]?.path, "spec.content.git.verbosity");
    assert.equal(refused(doc("      retry: {count: 21}"))[0]?.path, "spec.content.git.retry.count");
  });

  it("ignores a service's container block with a warning, as Testkube's decoder drops it", () => {
    const result = accepted(`apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata: {name: svc}
spec:
  services:
    db:
      image: postgres:16
      container:
        env: [{name: A, value: b}]
  steps:
  - shell: echo
    services:
      cache: {shell: sleep 9, container: {workingDir: /tmp}}
`);
    assert.equal(result.workflow.spec.services?.db?.image, "postgres:16");
    assert.equal("container" in (result.workflow.spec.services?.db ?? {}), false);
    assert.deepEqual(
      result.warnings.map((w) => w.split(": is not")[0]),
      ["line 8: spec.services.db.container", "line 13: spec.steps[0].services.cache.container"],
    );
  });

  it("still refuses what Testkube refuses, at the field's path", () => {
    const issues = refused(`apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata: {name: bad}
spec:
  steps:
  - shell: echo
    rnu: {image: x}
  - shell: [not, a, string]
`);
    assert.deepEqual(
      issues.map((i) => i.path),
      ["spec.steps[0].rnu", "spec.steps[1].shell"],
    );
  });
});
