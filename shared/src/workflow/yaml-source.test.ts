import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWorkflowText } from "./parse.ts";
import { planWorkflow } from "./plan/plan.ts";
import { readYamlDocuments, writeYamlDocument } from "./yaml-source.ts";

/** Every word YAML 1.1 resolves to a boolean (and Kubernetes' decoder with it). */
const BOOLEAN_WORDS = [
  ...["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO"],
  ...["true", "True", "TRUE", "false", "False", "FALSE"],
  ...["on", "On", "ON", "off", "Off", "OFF"],
];
/** Other plain scalars YAML 1.1 does not read as strings. */
const OTHER_WORDS = [
  "E0",
  "e5",
  ".",
  "~",
  "null",
  "Null",
  "NULL",
  "0755",
  "0x1F",
  "0b101",
  "1_000",
  "12",
  "1.5",
  ".inf",
  ".NaN",
];

describe("one YAML schema end to end", () => {
  it("reads every YAML 1.1 boolean word, unquoted, as a boolean", () => {
    for (const word of BOOLEAN_WORDS) {
      const [doc] = readYamlDocuments(`v: ${word}\n`);
      assert.equal(typeof (doc?.value as { v: unknown } | undefined)?.v, "boolean", word);
    }
  });

  it("writes strings so that they read back as the same strings", () => {
    for (const word of [...BOOLEAN_WORDS, ...OTHER_WORDS]) {
      const text = writeYamlDocument({ v: word, list: [word] });
      const [doc] = readYamlDocuments(text);
      assert.deepEqual(doc?.value, { v: word, list: [word] }, `${word} written as ${text}`);
    }
  });

  it("a quoted word in a document survives the control plane's write and the agent's read", () => {
    const words = [...BOOLEAN_WORDS, ...OTHER_WORDS];
    const source = [
      "apiVersion: testworkflows.testkube.io/v1",
      "kind: TestWorkflow",
      "metadata:",
      "  name: words",
      "spec:",
      "  execution:",
      "    tags:",
      ...words.map((w, i) => `      t${i}: "${w}"`),
      "  container:",
      "    env:",
      ...words.map((w, i) => `    - {name: E${i}, value: "${w}"}`),
      "  steps:",
      "  - shell: echo ok",
    ].join("\n");
    const applied = parseWorkflowText(source);
    assert.ok(applied.ok, JSON.stringify(applied));
    // What the control plane stores for the agent, and what the agent reads from it.
    const stored = writeYamlDocument(applied.workflow);
    const read = parseWorkflowText(stored, { select: "first" });
    assert.ok(read.ok, `the agent refuses the stored spec: ${JSON.stringify(read)}`);
    assert.deepEqual(read.workflow, applied.workflow);
    const plan = planWorkflow(read.workflow, { features: [] });
    const env = plan.steps[0]?.env ?? {};
    words.forEach((w, i) => {
      assert.equal(env[`E${i}`], w, `E${i}`);
    });
  });
});
