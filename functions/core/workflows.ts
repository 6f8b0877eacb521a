/**
 * Workflow use-cases: apply (create or update a TestWorkflow document as written), get, list,
 * delete, each authorized for the principal it is given (access.ts).
 * Validation is the shared parser's, so the API, the CLI and the dashboard report the same
 * issues with the same paths.
 */
import { AppError, type Execution, type WorkflowRecord } from "@assay/shared";
import {
  checkWorkflow,
  DEFAULT_RUNTIME,
  PROCESS_RUNTIME_FEATURES,
  parseWorkflowText,
  type TestWorkflow,
  type WorkflowCheck,
} from "@assay/shared/workflow";
import { authorize, type Principal } from "./access.ts";
import type { AgentRuntimes } from "./agent-runtimes.ts";
import { checkSchedules } from "./cron.ts";
import { configPatternIssues } from "./linear-pattern.ts";
import type { EnvRef } from "./ports/refs.ts";
import type { ScheduleStore } from "./ports/schedule-store.ts";
import type { Clock, WorkflowStore } from "./ports.ts";
import { checkSourceSize } from "./source-size.ts";
import { nextRecord } from "./workflow-record.ts";

export interface ApplyResult {
  workflow: WorkflowRecord;
  created: boolean;
  warnings: string[];
  /** The step tree and, per runtime of the environment's agents, what would not run. */
  check: WorkflowCheck;
}

/** Options of `apply`. */
export interface ApplyOptions {
  /** Validate and check only; nothing is stored. */
  dryRun?: boolean;
}

export function createWorkflowService(deps: {
  workflows: WorkflowStore;
  schedules?: ScheduleStore;
  clock: Clock;
  /** Merges templates in before the check (as a run start does); without it `use` is left alone. */
  templates?: { resolve(env: EnvRef, workflow: TestWorkflow): Promise<TestWorkflow> };
  /** The environment's agent runtimes; without it the check assumes the process runtime. */
  runtimes?: AgentRuntimes;
  /** The dashboard's base address (`dashboard.url`), as a run gets it. */
  dashboardUrl?: () => string;
}) {
  const { workflows, clock } = deps;

  async function get(principal: Principal, { orgId, envId }: EnvRef, name: string): Promise<WorkflowRecord> {
    authorize(principal, "read", { orgId, envId });
    const workflow = await workflows.get({ orgId, envId }, name);
    if (!workflow) throw new AppError("not_found", `workflow ${name} not found`);
    return workflow;
  }

  /** A missing template is a warning here (it may be applied later), a refusal at run start. */
  async function checkApplied(env: EnvRef, doc: TestWorkflow): Promise<WorkflowCheck> {
    const runtimes = deps.runtimes
      ? await deps.runtimes(env)
      : [{ runtime: DEFAULT_RUNTIME, features: PROCESS_RUNTIME_FEATURES, agents: 0 }];
    let resolved = doc;
    let problem: string | undefined;
    try {
      resolved = deps.templates ? await deps.templates.resolve(env, doc) : doc;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== "failed_precondition") throw error;
      problem = `${error.message}: a run cannot start until it exists`;
    }
    // Checked in the place a run of it has: `organization.id`, `environment.id`, `dashboard.url`.
    const dashboardUrl = deps.dashboardUrl?.().replace(/\/+$/, "") ?? "";
    const check = checkWorkflow(resolved, runtimes, {
      organizationId: env.orgId,
      environmentId: env.envId,
      dashboardUrl,
    });
    if (problem === undefined) return check;
    const runtimesChecked = check.runtimes.map((r) => ({
      ...r,
      refusals: r.refusals.filter((u) => u.feature !== "templates"),
      warnings: [problem, ...r.warnings],
    }));
    return { ...check, runtimes: runtimesChecked };
  }

  return {
    get,
    /** Workflows of the environment; with `labels`, only those carrying all of them. */
    async list(
      principal: Principal,
      { orgId, envId }: EnvRef,
      labels: Record<string, string> = {},
    ): Promise<WorkflowRecord[]> {
      authorize(principal, "read", { orgId, envId });
      const all = await workflows.list({ orgId, envId });
      const wanted = Object.entries(labels);
      return wanted.length === 0 ? all : all.filter((w) => wanted.every(([k, v]) => w.labels[k] === v));
    },

    /**
     * Deletes the workflow and its schedules (no cron tick starts it again). Its executions are
     * kept, readable until retention removes them.
     */
    async delete(principal: Principal, { orgId, envId }: EnvRef, name: string): Promise<void> {
      authorize(principal, "edit-workflows", { orgId, envId });
      await deps.schedules?.remove({ orgId, envId, workflowName: name });
      if (!(await workflows.delete({ orgId, envId }, name)))
        throw new AppError("not_found", `workflow ${name} not found`);
    },

    /** Validates `text` (YAML or JSON) and stores it under `name`, which must match metadata.name. */
    async apply(
      principal: Principal,
      { orgId, envId }: EnvRef,
      name: string,
      text: string,
      options: ApplyOptions = {},
    ): Promise<ApplyResult> {
      authorize(principal, "edit-workflows", { orgId, envId });
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
      const check = await checkApplied({ orgId, envId }, doc);
      const existing = await workflows.get({ orgId, envId }, name);
      const record = nextRecord({ orgId, envId }, name, text, doc, existing, now);
      if (options.dryRun) return { workflow: record, created: !existing, warnings: parsed.warnings, check };
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
          ...cronTarget(c.target),
        })),
      });
      return { workflow: record, created: !existing, warnings: parsed.warnings, check };
    },
  };
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;

/** A cron job's own `target` (`match` / `not`) as its schedule keeps it; nothing when empty. */
const cronTarget = (
  target: { match?: Record<string, string[]>; not?: Record<string, string[]> } | undefined,
): { target?: NonNullable<Execution["target"]> } => {
  const out: NonNullable<Execution["target"]> = {};
  if (target?.match && Object.keys(target.match).length > 0) out.match = target.match;
  if (target?.not && Object.keys(target.not).length > 0) out.not = target.not;
  return out.match || out.not ? { target: out } : {};
};
