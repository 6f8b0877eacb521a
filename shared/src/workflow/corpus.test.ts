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

  // Their API address is derived from the dashboard's: `join(list(at(split(dashboard.url,
  // "app-"), 0), at(split(dashboard.url, "app-"), 1)), "api-")`. Testkube's at() fails when
  // the URL has no "app-", so both refuse it there and run it where the URL has one.
  it('cloud-ui-e2e: refused where dashboard.url has no "app-", saying so; planned where it has', () => {
    const docs = documents.filter((d) => d.ok && JSON.stringify(d.document).includes("split(dashboard.url"));
    assert.deepEqual(
      docs.map((d) => d.file),
      [
        "test__env__release__workflows__cloud-ui-e2e.yaml",
        "test__env__sandbox__workflows__cloud-ui-e2e.yaml",
      ],
    );
    const docker = [
      { runtime: "docker", features: RUNTIME_FEATURES.docker ?? [], containers: true, agents: 1 },
    ];
    for (const d of docs) {
      if (!d.ok || d.document.kind !== "TestWorkflow") continue;
      const place = { organizationId: "o", environmentId: "e", dashboardUrl: "https://assay.example.com" };
      const refusals = checkWorkflow(d.document, docker, place).runtimes[0]?.refusals ?? [];
      const refusal = refusals.find((r) => r.path === "spec.container.env[1].value");
      assert.match(
        refusal?.message ?? JSON.stringify(refusals),
        /^at\(\): index 1 is out of bounds of \["https:\/\/assay\.example\.com"\] \(length 1; Testkube's at\(\) fails on it too\)/,
        where(d),
      );
      const there = { ...place, dashboardUrl: "https://app-sandbox.example.com" };
      const planned = checkWorkflow(d.document, docker, there).runtimes[0]?.refusals ?? [];
      assert.deepEqual(
        planned.filter((r) => r.feature === "expressions"),
        [],
        where(d),
      );
    }
  });
});
