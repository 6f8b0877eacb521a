/**
 * Testkube's own documents (fixtures/testkube: every TestWorkflow and TestWorkflowTemplate in
 * its repository's test suites and official templates, kept verbatim) read, merged with their
 * templates and planned for each runtime. Testkube applies all of them, so a refusal by the
 * parser is a fidelity bug and fails the test; what a runtime cannot run is counted and printed.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { type ParsedDocument, parseWorkflowDocuments } from "./parse.ts";
import { checkWorkflow } from "./plan/check.ts";
import { RUNTIME_FEATURES } from "./runtimes.ts";
import type { TestWorkflow, TestWorkflowTemplate } from "./schema/workflow.ts";
import { resolveTemplates } from "./templates/index.ts";

const DIR = new URL("./fixtures/testkube/", import.meta.url);

const documents = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
  .sort()
  .flatMap((file) =>
    parseWorkflowDocuments(readFileSync(new URL(file, DIR), "utf8")).map((d) => ({ file, ...d })),
  );

const EXPECTED_TO_FAIL = [
  "test__special-cases__edge-cases-expected-fails.yaml:444: template some-non-existant-template-name not found (spec.steps[0].template)",
  "test__special-cases__edge-cases-expected-fails.yaml:584: template expected-fail-required-config-template has no config parameter version",
];

const where = (d: ParsedDocument & { file: string }) => `${d.file}:${d.line}`;

describe("Testkube's documents", () => {
  it("are all accepted, merged with their templates and planned; counts per runtime", () => {
    const refused = documents.filter((d) => !d.ok);
    const problems = refused.map(
      (d) => `${where(d)}: ${d.ok ? "" : d.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
    const templates = new Map<string, TestWorkflowTemplate>();
    const workflows: Array<{ at: string; workflow: TestWorkflow }> = [];
    for (const d of documents) {
      if (!d.ok) continue;
      if (d.document.kind === "TestWorkflowTemplate") templates.set(d.document.metadata.name, d.document);
      else workflows.push({ at: where(d), workflow: d.document });
    }
    const unresolved: string[] = [];
    const runtimes = Object.entries(RUNTIME_FEATURES).map(([runtime, features]) => ({
      runtime,
      features,
      containers: runtime !== "process",
      agents: 1,
    }));
    const plannable = new Map(runtimes.map((r) => [r.runtime, 0]));
    const reasons = new Map<string, number>();
    for (const { at, workflow } of workflows) {
      const resolved = resolveTemplates(workflow, templates);
      if (!resolved.ok) {
        unresolved.push(`${at}: ${resolved.problem.message}`);
        continue;
      }
      for (const check of checkWorkflow(resolved.workflow, runtimes).runtimes) {
        if (check.refusals.length === 0)
          plannable.set(check.runtime, (plannable.get(check.runtime) ?? 0) + 1);
        if (process.env.ASSAY_CORPUS_DETAILS === "1")
          for (const r of check.refusals) console.log(`${check.runtime} ${at} ${r.path}: ${r.message}`);
        for (const feature of new Set(check.refusals.map((r) => r.feature))) {
          const key = `${check.runtime}: ${feature}`;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
      }
    }
    const lines = [
      `documents: ${documents.length} (${workflows.length} workflows and ${templates.size} templates accepted, ${refused.length} refused)`,
      `templates not found: ${unresolved.length}`,
      ...runtimes.map(
        (r) =>
          `plannable on ${r.runtime}: ${plannable.get(r.runtime)} of ${workflows.length - unresolved.length}`,
      ),
      ...[...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  refused for ${k}: ${n}`),
    ];
    console.log(lines.join("\n"));
    assert.deepEqual(problems, [], "documents Testkube accepts and Assay refuses");
    // Testkube's own expected-failure cases: it fails these runs for the same reasons.
    assert.deepEqual(unresolved, EXPECTED_TO_FAIL, "templates the corpus uses and does not hold");
    // Floors, so that a change that makes fewer of them plannable shows here.
    assert.ok((plannable.get("process") ?? 0) >= 243, "plannable on process");
    // One document mounts a hostPath volume: refused unless the agent allows host paths.
    assert.ok((plannable.get("docker") ?? 0) >= 286, "plannable on docker");
  });
});
