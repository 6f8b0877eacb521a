import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";
import { ExecutionId, Slug, WorkflowName } from "./ids.ts";

/**
 * Execution lifecycle. `queued -> assigned -> running -> (terminal)`; `lost` when the agent
 * vanished while holding it; `canceled` when it never started (aborted while queued).
 */
export const ExecutionStatus = lazySchema(() =>
  z.enum(["queued", "assigned", "running", "passed", "failed", "aborted", "canceled", "timeout", "lost"]),
);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set([
  "passed",
  "failed",
  "aborted",
  "canceled",
  "timeout",
  "lost",
]);

export const isTerminal = (status: ExecutionStatus): boolean => TERMINAL_STATUSES.has(status);

export const StepStatus = lazySchema(() =>
  z.enum(["queued", "running", "passed", "failed", "skipped", "timeout", "aborted"]),
);
export type StepStatus = z.infer<typeof StepStatus>;

/** One node of an execution's step tree; the tree is known when the execution is created. */
export const StepState = lazySchema(() =>
  z.object({
    ref: z.string(),
    name: z.string(),
    parentRef: z.string().optional(),
    status: StepStatus,
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    /** Exit code of the step's process; -1 when it was killed. */
    exitCode: z.number().int().optional(),
    message: z.string().optional(),
    warnings: z.array(z.string()).default([]),
    /** Highest CPU use of the step's processes, in percent of one core (200 = two cores). */
    cpuPeakPercent: z.number().nonnegative().optional(),
    /** Highest resident memory of the step's processes together, in bytes. */
    memoryPeakBytes: z.number().int().nonnegative().optional(),
  }),
);
export type StepState = z.infer<typeof StepState>;

/**
 * Who or what started an execution: a signed-in user, an API token, a schedule (the workflow's
 * cron job, `<workflow>#<index>` of `spec.events`), or a parent execution (suites).
 */
export const StartedBy = lazySchema(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("user"), id: z.string().min(1), email: z.string() }),
    z.object({ kind: z.literal("api"), id: z.string().min(1), name: z.string() }),
    z.object({ kind: z.literal("schedule"), id: z.string().min(1), cron: z.string() }),
    z.object({ kind: z.literal("execution"), id: ExecutionId }),
  ]),
);
export type StartedBy = z.infer<typeof StartedBy>;

export const Execution = lazySchema(() =>
  z.object({
    id: ExecutionId,
    orgId: Slug,
    envId: Slug,
    workflowName: WorkflowName,
    /**
     * Run number of the workflow in its environment: 1 for the first run, then one more for each
     * run started (numbers of runs that failed to start are skipped, never reused). Missing on
     * executions stored before numbers were kept.
     */
    number: z.number().int().positive().optional(),
    /** Who or what started it; missing on executions stored before this was kept. */
    startedBy: StartedBy.optional(),
    /** The execution this one re-runs (same workflow, config and tags). */
    rerunOf: ExecutionId.optional(),
    /**
     * `spec.execution.target.replicate`: the first execution of the run, when it was started once
     * per matching agent group. Every replica (the first too) carries the tag
     * `assay.io/replicas=<id>`, so `?tag=assay.io/replicas=<id>` lists them.
     */
    replicaGroup: ExecutionId.optional(),
    status: ExecutionStatus,
    /** ISO 8601 timestamps. */
    createdAt: z.string(),
    assignedAt: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    /** Agent holding the execution (set when assigned). */
    agentId: z.string().optional(),
    config: z.record(z.string(), z.string()).default({}),
    /** Config names whose values are sensitive: masked in views and in logs. */
    sensitive: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.string()).default({}),
    steps: z.array(StepState).default([]),
    /** Bytes of log durably stored so far. */
    logBytes: z.number().int().nonnegative().default(0),
    /** True when the log hit the plan's size limit: output beyond `logBytes` was not kept. */
    truncated: z.boolean().optional(),
    abortRequestedAt: z.string().optional(),
    /** Pause asked (true) or resume asked (false) of the running execution; the agent is told. */
    pauseRequested: z.boolean().optional(),
    /** Set while the agent holds the execution paused (ISO 8601, since when). */
    pausedAt: z.string().optional(),
    /** Human-readable reason for the final status (failure, abort, loss). */
    message: z.string().optional(),
    warnings: z.array(z.string()).default([]),
    /** The resolved spec the agent runs (YAML text). */
    specYaml: z.string(),
    /** The dashboard's base address when the run started (`dashboard.url` in expressions). */
    dashboardUrl: z.string().optional(),
    /** `spec.concurrency` of the run: at most `max` executions of `group` hold an agent at once. */
    concurrency: z
      .object({
        group: z.string().min(1).max(200),
        max: z.number().int().positive(),
        /** A new run of a full group aborts the oldest running ones to take their place. */
        cancelInProgress: z.boolean().optional(),
      })
      .optional(),
    /**
     * The execution whose `execute` step started this one (a TestWorkflow suite). Its children
     * also carry the tag `assay.io/parent=<id>`, so `?tag=assay.io/parent=<id>` lists them.
     */
    parent: z.object({ executionId: ExecutionId, stepRef: z.string().max(200) }).optional(),
    /**
     * Which agents may run it (`spec.execution.target`): label key -> accepted values (`match`)
     * and refused values (`not`); see the shared workflow's targets.ts.
     */
    target: z
      .object({
        match: z.record(z.string(), z.array(z.string())).optional(),
        not: z.record(z.string(), z.array(z.string())).optional(),
      })
      .optional(),
    /**
     * The plan runs steps in container images (known when the run is created): it is offered
     * first to agents whose runtime runs images. `preferred`: a process agent takes it only while
     * no such agent is online (it warns about the images); `required`: the process runtime would
     * refuse the plan (a step runs its image's entrypoint), so only a container runtime takes it.
     */
    runtimeNeed: z
      .object({ containers: z.enum(["preferred", "required"]), reason: z.string().max(500) })
      .optional(),
    /** Which runtime took the execution and why (set when an agent claims it; `agentId` says which). */
    placement: z.object({ runtime: z.string().max(100), reason: z.string().max(500) }).optional(),
    /** Lease held by the running agent, epoch milliseconds; renewed by heartbeats. */
    leaseExpiresAtMs: z.number().int().optional(),
  }),
);
export type Execution = z.infer<typeof Execution>;

/** What the API returns for an execution (the spec is fetched separately). */
export const ExecutionView = lazySchema(() =>
  Execution.omit({
    specYaml: true,
    leaseExpiresAtMs: true,
    dashboardUrl: true,
  }).extend({
    /**
     * Why a queued execution has not started, when the control plane knows (e.g. "waiting for an
     * agent: none online in staging"). Computed when read, never stored.
     */
    waiting: z.string().optional(),
  }),
);
export type ExecutionView = z.infer<typeof ExecutionView>;

/** The words a queued execution carries while its environment has no online agent. */
export const noAgentOnline = (envId: string): string => `waiting for an agent: none online in ${envId}`;

/** The API's view: no spec, lease or run facts for the agent; sensitive config values masked. */
export const toExecutionView = (execution: Execution): ExecutionView => {
  const { specYaml: _spec, leaseExpiresAtMs: _lease, dashboardUrl: _dashboard, ...view } = execution;
  const config = { ...view.config };
  for (const name of view.sensitive) if (name in config) config[name] = "********";
  return { ...view, config };
};

/** Request body of `POST .../workflows/{name}/executions`. */
export const CreateExecution = lazySchema(() =>
  z
    .object({
      config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      tags: z.record(z.string(), z.string()).default({}),
    })
    .strict(),
);
export type CreateExecution = z.infer<typeof CreateExecution>;

/** `k=v` filters (`?tag=team=qa&tag=env=ci`): one value or several. */
export const KeyValueFilters = lazySchema(() =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(z.array(z.string().regex(/^[^=]{1,128}=[\s\S]{0,256}$/, "must be key=value")).max(10)),
);

/** Parses `k=v` filters into a record. */
export const toKeyValues = (filters: readonly string[] | undefined): Record<string, string> =>
  Object.fromEntries(
    (filters ?? []).map((f) => {
      const at = f.indexOf("=");
      return [f.slice(0, at), f.slice(at + 1)];
    }),
  );

export const ListExecutionsQuery = lazySchema(() =>
  z
    .object({
      workflow: WorkflowName.optional(),
      status: ExecutionStatus.optional(),
      /** Only executions with all these tags (`key=value`). */
      tag: KeyValueFilters.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional(),
    })
    .strict(),
);
export type ListExecutionsQuery = z.infer<typeof ListExecutionsQuery>;

/** A page of results with an opaque cursor for the next one. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
