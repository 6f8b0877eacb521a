/**
 * Workflow use-cases: apply (create or update a TestWorkflow document as written), get, list.
 * Validation is the shared parser's, so the API, the CLI and the dashboard report the same
 * issues with the same paths.
 */
import { AppError, type WorkflowRecord } from "@assay/shared";
import { parseWorkflowText } from "@assay/shared/workflow";
import { checkSchedules } from "./cron.ts";
import { configPatternIssues } from "./linear-pattern.ts";
import type { Clock, WorkflowStore } from "./ports.ts";
import { checkSourceSize } from "./source-size.ts";
import type { ScheduleStore } from "./workflow-ports.ts";

export interface ApplyResult {
  workflow: WorkflowRecord;
  created: boolean;
  warnings: string[];
}

export function createWorkflowService(deps: {
  workflows: WorkflowStore;
  schedules?: ScheduleStore;
  clock: Clock;
}) {
  const { workflows, clock } = deps;

  async function get(orgId: string, envId: string, name: string): Promise<WorkflowRecord> {
    const workflow = await workflows.get(orgId, envId, name);
    if (!workflow) throw new AppError("not_found", `workflow ${name} not found`);
    return workflow;
  }

  return {
    get,
    /** Workflows of the environment; with `labels`, only those carrying all of them. */
    async list(orgId: string, envId: string, labels: Record<string, string> = {}): Promise<WorkflowRecord[]> {
      const all = await workflows.list(orgId, envId);
      const wanted = Object.entries(labels);
      return wanted.length === 0 ? all : all.filter((w) => wanted.every(([k, v]) => w.labels[k] === v));
    },

    /** Validates `text` (YAML or JSON) and stores it under `name`, which must match metadata.name. */
    async apply(orgId: string, envId: string, name: string, text: string): Promise<ApplyResult> {
      checkSourceSize("workflow", text);
      const parsed = parseWorkflowText(text);
      if (!parsed.ok) {
        const first = parsed.issues[0];
        const where = first ? `${first.path ? `${first.path}: ` : ""}${first.message}` : "invalid document";
        throw new AppError("invalid_argument", `invalid workflow: ${where}`, { issues: parsed.issues });
      }
      const doc = parsed.workflow;
      if (doc.kind !== "TestWorkflow") {
        throw new AppError("invalid_argument", `kind must be TestWorkflow, got ${doc.kind}`, {
          issues: [{ path: "kind", message: "must be TestWorkflow" }],
        });
      }
      if (doc.metadata.name !== name) {
        throw new AppError(
          "invalid_argument",
          `metadata.name (${doc.metadata.name}) does not match ${name}`,
          {
            issues: [{ path: "metadata.name", message: `must be ${name} to match the URL` }],
          },
        );
      }
      const patternIssues = configPatternIssues(doc.spec.config);
      if (patternIssues.length > 0) {
        const first = patternIssues[0];
        throw new AppError("invalid_argument", `invalid workflow: ${first?.path}: ${first?.message}`, {
          issues: patternIssues,
        });
      }
      const now = new Date(clock.now()).toISOString();
      await checkSchedules(doc.spec.events ?? []);
      const existing = await workflows.get(orgId, envId, name);
      const record: WorkflowRecord = {
        orgId,
        envId,
        name,
        source: text,
        spec: doc as unknown as Record<string, unknown>,
        labels: doc.metadata.labels ?? {},
        description: doc.metadata.annotations?.description ?? doc.description,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        version: (existing?.version ?? 0) + 1,
      };
      await workflows.put(record, existing?.version ?? 0);
      // The dispatcher reads schedules from their own index, kept in step with every apply.
      const cronjobs = (doc.spec.events ?? []).flatMap((e) => (e.cronjob ? [e.cronjob] : []));
      await deps.schedules?.put({
        orgId,
        envId,
        workflowName: name,
        since: now,
        cronjobs: cronjobs.map((c) => ({
          cron: c.cron,
          ...(c.timezone ? { timezone: c.timezone } : {}),
          ...(c.config ? { config: c.config } : {}),
        })),
      });
      return { workflow: record, created: !existing, warnings: parsed.warnings };
    },
  };
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;
