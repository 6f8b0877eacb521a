/**
 * TestWorkflowTemplate use-cases (apply, get, list, delete) and resolving the templates a
 * workflow uses when a run starts. Templates are stored per environment under their object name
 * (`official--k6--v1`, Testkube's spelling of `official/k6/v1`).
 */
import { AppError, type FieldIssue } from "@assay/shared";
import {
  parseWorkflowDocuments,
  referencedTemplates,
  resolveTemplates,
  type TestWorkflow,
  type TestWorkflowTemplate,
  validateWorkflowDocument,
} from "@assay/shared/workflow";
import { authorize, type Principal } from "./access.ts";
import { configPatternIssues } from "./linear-pattern.ts";
import type { EnvRef } from "./ports/refs.ts";
import type { TemplateRecord, TemplateStore } from "./ports/template-store.ts";
import type { Clock } from "./ports.ts";
import { checkSourceSize } from "./source-size.ts";
import { nextRecord } from "./workflow-record.ts";

export function createTemplateService(deps: { templates: TemplateStore; clock: Clock }) {
  const { templates, clock } = deps;

  async function get(principal: Principal, { orgId, envId }: EnvRef, name: string): Promise<TemplateRecord> {
    authorize(principal, "read", { orgId, envId });
    const template = await templates.get({ orgId, envId }, name);
    if (!template) throw new AppError("not_found", `template ${name} not found`);
    return template;
  }

  return {
    get,
    async list(principal: Principal, { orgId, envId }: EnvRef): Promise<TemplateRecord[]> {
      authorize(principal, "read", { orgId, envId });
      return templates.list({ orgId, envId });
    },

    /** Validates `text` as a TestWorkflowTemplate and stores it under `name` (= metadata.name). */
    async apply(principal: Principal, { orgId, envId }: EnvRef, name: string, text: string) {
      authorize(principal, "edit-workflows", { orgId, envId });
      checkSourceSize("template", text);
      const documents = parseWorkflowDocuments(text);
      const doc = documents.find((d) => d.kind === "TestWorkflowTemplate") ?? documents[0];
      if (doc === undefined) throw invalid([{ path: "kind", message: "the text holds no document" }]);
      if (!doc.ok) throw invalid(doc.issues);
      if (doc.document.kind !== "TestWorkflowTemplate") {
        throw invalid([{ path: "kind", message: "must be TestWorkflowTemplate" }]);
      }
      const template = doc.document;
      if (template.metadata.name !== name) {
        throw invalid([{ path: "metadata.name", message: `must be ${name} to match the URL` }]);
      }
      const patternIssues = configPatternIssues(template.spec.config);
      if (patternIssues.length > 0) throw invalid(patternIssues);
      const now = new Date(clock.now()).toISOString();
      const existing = await templates.get({ orgId, envId }, name);
      const record = nextRecord({ orgId, envId }, name, text, template, existing, now);
      await templates.put(record, existing?.version ?? 0);
      return { template: record, created: !existing, warnings: doc.warnings };
    },

    async delete(principal: Principal, { orgId, envId }: EnvRef, name: string): Promise<void> {
      authorize(principal, "edit-workflows", { orgId, envId });
      if (!(await templates.delete({ orgId, envId }, name)))
        throw new AppError("not_found", `template ${name} not found`);
    },

    /**
     * The workflow with every `use` / `template` merged in. A missing template is
     * `failed_precondition` naming it and where it is used.
     */
    async resolve({ orgId, envId }: EnvRef, workflow: TestWorkflow): Promise<TestWorkflow> {
      const names = referencedTemplates(workflow);
      if (names.length === 0) return workflow;
      const found = new Map<string, TestWorkflowTemplate>();
      await Promise.all(
        names.map(async (name) => {
          const record = await templates.get({ orgId, envId }, name);
          if (record === undefined) return;
          const parsed = validateWorkflowDocument(record.spec);
          if (parsed.ok && parsed.document.kind === "TestWorkflowTemplate") found.set(name, parsed.document);
        }),
      );
      const result = resolveTemplates(workflow, found);
      if (result.ok) return result.workflow;
      const { problem } = result;
      throw new AppError("failed_precondition", problem.message, {
        issues: [
          {
            path: problem.path,
            message: problem.missing ? `template ${problem.missing} not found` : problem.message,
          },
        ],
      });
    },
  };
}

const invalid = (issues: FieldIssue[]): AppError => {
  const first = issues[0];
  const where = first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "invalid document";
  return new AppError("invalid_argument", `invalid template: ${where}`, { issues });
};

export type TemplateService = ReturnType<typeof createTemplateService>;
