/**
 * Property tests: whatever text arrives (random, or a valid document mangled at random), the
 * parser answers instead of throwing, every refusal points somewhere (a path or a line), and a
 * document it accepts can always be planned.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { type ParseResult, parseWorkflowDocuments, parseWorkflowText, validateWorkflow } from "./parse.ts";
import { planWorkflow } from "./plan/plan.ts";

const fixtures = ["kitchen-sink.yaml", "template.yaml"].map((name) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"),
);
const kitchenSink = fixtures[0] ?? "";

/** The contract every answer must keep. */
const checkResult = (result: ParseResult) => {
  if (result.ok) {
    planWorkflow(result.workflow);
    return;
  }
  assert.ok(result.issues.length > 0, "a refusal carries at least one issue");
  for (const issue of result.issues) {
    assert.ok(
      issue.path !== "" || typeof issue.line === "number",
      `issue without a path or line: ${JSON.stringify(issue)}`,
    );
    assert.equal(typeof issue.message, "string");
    if (issue.line !== undefined) assert.ok(issue.line >= 1);
  }
};

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.constantFrom(
        ": ",
        "- ",
        "\n  ",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "&a ",
        "*a",
        "<<: *a\n",
        "---\n",
        "\t",
        "#",
        "!!int ",
      ),
    ),
  }),
  fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("indent" as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

const apply = (text: string, m: Mutation): string => {
  switch (m.kind) {
    case "delete": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "swapLines": {
      const lines = text.split("\n");
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
      return lines.join("\n");
    }
    case "indent": {
      const lines = text.split("\n");
      const i = m.line % lines.length;
      const line = lines[i] ?? "";
      lines[i] = m.by >= 0 ? " ".repeat(m.by) + line : line.replace(new RegExp(`^ {0,${-m.by}}`), "");
      return lines.join("\n");
    }
  }
};

describe("parser properties", () => {
  it("never throws on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        checkResult(parseWorkflowText(text));
        parseWorkflowDocuments(text);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on mutated valid documents, and every refusal points somewhere", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (text, ms) => {
          const mutated = ms.reduce(apply, text);
          checkResult(parseWorkflowText(mutated));
          checkResult(parseWorkflowText(mutated, { select: "first" }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws on arbitrary data in any part of a document", () => {
    const base = parseWorkflowText(kitchenSink);
    assert.ok(base.ok);
    const paths: string[][] = [
      ["spec"],
      ["spec", "steps"],
      ["spec", "container"],
      ["spec", "config"],
      ["metadata"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything({ maxDepth: 3 }), (path, value) => {
        const doc = structuredClone(base.workflow) as unknown as Record<string, unknown>;
        let target = doc;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1] ?? "spec"] = value;
        checkResult(validateWorkflow(doc));
        let text = "";
        try {
          text = stringify(doc);
        } catch {
          return;
        }
        checkResult(parseWorkflowText(text));
      }),
      { numRuns: 300 },
    );
  });

  it("accepts every step shape it generates from the schema's own vocabulary", () => {
    const step = fc.record(
      {
        name: fc.string({ maxLength: 10 }),
        shell: fc.string({ maxLength: 20 }),
        optional: fc.boolean(),
        timeout: fc.constantFrom("1s", "1m30s", "500ms", "{{ config.t }}"),
        retry: fc.record({ count: fc.integer({ min: 1, max: 5 }) }),
        condition: fc.constantFrom("passed", "failed", "always", "never", "self.passed"),
        workingDir: fc.constantFrom("/data", "/data/repo", "relative/dir"),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 5 }), fc.array(step, { maxLength: 3 }), (steps, after) => {
        // Written as YAML 1.1, the dialect it is read in: `Y` must be quoted there, as for kubectl.
        const doc = {
          apiVersion: "testworkflows.testkube.io/v1",
          kind: "TestWorkflow",
          metadata: { name: "generated" },
          spec: { steps, after },
        };
        const text = stringify(doc, { version: "1.1" });
        const result = parseWorkflowText(text);
        assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
        const plan = planWorkflow(result.workflow);
        assert.equal(plan.steps.length, steps.length + after.length);
      }),
      { numRuns: 200 },
    );
  });
});
