/**
 * Execution use-cases: start a run, read, list, abort, pause, re-run, delete, each authorized
 * for the principal it is given (access.ts); deleting is audited. Agent-side transitions (claim,
 * start, step updates, completion) live in agent-work.ts.
 *
 * Every state change is a conditional transition in the store; the bus only rings doorbells
 * (`env.{org}.{env}.work`) so that an ingress holding an agent of the environment acts at once
 * instead of on its next sweep.
 */
import {
  AppError,
  type Execution,
  type ExecutionView,
  isTerminal,
  PARENT_TAG,
  type Page,
  REPLICAS_TAG,
  type StartedBy,
  toExecutionView,
  type WorkflowRecord,
} from "@assay/shared";
import { resolveTags, validateWorkflow, writeYamlDocument } from "@assay/shared/workflow";
import { monotonicFactory } from "ulid";
import { authorize, type OrgPrincipal, type Principal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import { concurrencyOf, inProgressToCancel } from "./concurrency.ts";
import { resolveConfig } from "./config-params.ts";
import type { Lifecycle } from "./lifecycle/lifecycle.ts";
import { encodeWorkOffer, workSubject } from "./lifecycle/subjects.ts";
import { type EnvRef, type ExecutionRef, envRefOf } from "./ports/refs.ts";
import type { Bus, Clock, ExecutionFilter, ExecutionStore, JobQueue } from "./ports.ts";
import type { RequestMeta } from "./principals.ts";
import { queueTimeoutOf } from "./queue-timeout.ts";
import { type OnlineAgents, type Replica, replicaTargets } from "./replicas.ts";
import type { RunSlotGate } from "./run-slots.ts";
import { initialStepStates } from "./step-tree.ts";
import type { TemplateService } from "./templates.ts";
import type { WorkflowService } from "./workflows.ts";

export { decodeDoorbell, encodeWorkOffer, statusSubject, workSubject } from "./lifecycle/subjects.ts";

export interface StartInput {
  config: Record<string, string | number | boolean>;
  tags: Record<string, string>;
  /** The `execute` step that starts this run (a suite's child). */
  parent?: { executionId: string; stepRef: string };
  /**
   * Replaces the workflow's `spec.execution.target`: an `execute` entry's or a cron job's own
   * target, or the target of the run a re-run repeats.
   */
  target?: NonNullable<Execution["target"]>;
  /** Who or what starts the run (a schedule, a parent execution); by default the member or token. */
  startedBy?: StartedBy;
  /** The execution this run repeats. */
  rerunOf?: string;
  /**
   * The id to give the execution (an `execute` child's, derived from its request: see
   * `childExecutionId`). When an execution with this id exists, `start` answers it instead of
   * starting another: the store's conditional create makes a resent request start it once.
   */
  id?: string;
  /** This run is a replica (`replicate`) of the run whose first execution has this id. */
  replicaGroup?: string;
}

/** How an execution started by a member or an API token records them. */
const startedByPrincipal = (principal: OrgPrincipal): StartedBy =>
  principal.kind === "user"
    ? { kind: "user", id: principal.userId, email: principal.email }
    : { kind: "api", id: principal.tokenId, name: principal.name ?? "" };

/** Who started a run: what the input says (a schedule, a parent), else the member or token. */
const startedByOf = (principal: Principal, input: StartInput): StartedBy | undefined =>
  input.startedBy ??
  (principal.kind === "user" || principal.kind === "api" ? startedByPrincipal(principal) : undefined);

/** Tags the control plane sets itself (`assay.io/schedule`...): a re-run does not inherit them. */
const INTERNAL_TAG_PREFIX = "assay.io/";

export function createExecutionService(deps: {
  executions: ExecutionStore;
  workflows: WorkflowService;
  /** Resolves `use` / `template` at run start; without it such workflows cannot run. */
  templates?: TemplateService;
  /** The plan's limits: a run takes a queue place before it is stored. */
  runSlots: RunSlotGate;
  lifecycle: Lifecycle;
  bus: Bus;
  jobs: JobQueue;
  clock: Clock;
  /** Where deletions are recorded. */
  audit: Pick<AuditLog, "record">;
  /** The dashboard's base address, which a run's `dashboard.url` reads. */
  dashboardUrl?: () => string;
  /** The environment's online agents, for `replicate`; without it a run is never replicated. */
  onlineAgents?: OnlineAgents;
}) {
  const { executions, workflows, bus, jobs, clock } = deps;
  const nextId = monotonicFactory();
  const iso = () => new Date(clock.now()).toISOString();
  const ring = (env: EnvRef, offer?: string) =>
    bus.publish(workSubject(env), offer ? encodeWorkOffer(offer) : new Uint8Array()).catch(() => {
      // A lost doorbell costs latency only: the ingress sweeps for queued work.
    });

  /** The execution, once `principal` may `action` in its environment. */
  async function load(principal: Principal, action: "read" | "run", ref: ExecutionRef): Promise<Execution> {
    authorize(principal, action, ref);
    const execution = await executions.get(ref);
    if (!execution) throw new AppError("not_found", `execution ${ref.id} not found`);
    return execution;
  }

  /** The queued execution of a run of `workflow`: resolved spec, config, tags and step tree. */
  async function prepare(
    { orgId, envId }: EnvRef,
    workflowName: string,
    workflow: WorkflowRecord,
    input: StartInput,
    id: string,
    number: number,
  ): Promise<{ execution: Execution; replicate: string[] }> {
    const parsed = validateWorkflow(workflow.spec);
    if (!parsed.ok) throw new AppError("failed_precondition", `stored workflow ${workflowName} is invalid`);
    // The agent receives the resolved document: no `use` or `template` left in it.
    const resolved = deps.templates
      ? await deps.templates.resolve({ orgId, envId }, parsed.workflow)
      : parsed.workflow;
    const config = resolveConfig(resolved.spec.config, input.config);
    const identity = { id, name: `${workflowName}-${id}`, number };
    // Tag values may hold expressions (`{{ config.env }}`, `{{ execution.number }}`): stored evaluated.
    const evaluated = resolveTags(
      resolved,
      {
        ...resolved.spec.execution?.tags,
        ...input.tags,
        ...(input.parent ? { [PARENT_TAG]: input.parent.executionId } : {}),
      },
      { config: config.values, execution: identity },
    );
    if (!evaluated.ok) throw new AppError("invalid_argument", evaluated.problems.join("; "));
    const tags = input.replicaGroup
      ? { ...evaluated.tags, [REPLICAS_TAG]: input.replicaGroup }
      : evaluated.tags;
    const createdAt = iso();
    const dashboardUrl = deps.dashboardUrl?.().replace(/\/+$/, "") ?? "";
    const { steps, warnings, runtimeNeed } = initialStepStates(resolved, {
      config: config.values,
      execution: { ...identity, tags, scheduledAt: createdAt },
      place: { organizationId: orgId, environmentId: envId, dashboardUrl },
    });
    const concurrency = concurrencyOf(resolved.spec, workflowName, config.values, workflow.labels);
    const own = input.target === undefined ? targetOf(resolved.spec.execution?.target) : undefined;
    const target = input.target ?? own?.target;
    // A child of an `execute` step is waited for by its parent as one run: it is not replicated.
    const replicate = input.parent === undefined ? (own?.replicate ?? []) : [];
    if (input.parent !== undefined && (own?.replicate ?? []).length > 0)
      warnings.push(
        "spec.execution.target.replicate: a child of an execute step runs once, on one matching agent",
      );
    const queueTimeoutMs = queueTimeoutOf(resolved.spec, workflowName, config.values, workflow.labels);
    const execution: Execution = {
      id,
      orgId,
      envId,
      workflowName,
      number,
      ...(input.startedBy ? { startedBy: input.startedBy } : {}),
      ...(input.rerunOf ? { rerunOf: input.rerunOf } : {}),
      ...(input.replicaGroup ? { replicaGroup: input.replicaGroup } : {}),
      status: "queued",
      createdAt,
      config: config.values,
      sensitive: config.sensitive,
      tags,
      steps,
      logBytes: 0,
      warnings,
      // Tags given at run time join the document's, so the agent's planner sees them too.
      ...(dashboardUrl === "" ? {} : { dashboardUrl }),
      specYaml: writeYamlDocument(
        Object.keys(tags).length === 0
          ? resolved
          : { ...resolved, spec: { ...resolved.spec, execution: { ...resolved.spec.execution, tags } } },
      ),
      ...(concurrency ? { concurrency } : {}),
      ...(input.parent ? { parent: input.parent } : {}),
      ...(target ? { target } : {}),
      ...(runtimeNeed ? { runtimeNeed } : {}),
      // While queued, the lease field holds the `spec.timeouts.queue` deadline (queue-timeout.ts).
      ...(queueTimeoutMs !== undefined ? { leaseExpiresAtMs: clock.now() + queueTimeoutMs } : {}),
    };
    return { execution, replicate };
  }

  /**
   * `replicate`: the prepared execution becomes the first replica (pinned to the first agent
   * group, see replicas.ts); the other groups are returned to be started after it. With no
   * matching agent online it stays as it is: queued until one connects, saying why.
   */
  async function replicas(
    execution: Execution,
    keys: string[],
  ): Promise<{ first: Execution; rest: Replica[] }> {
    if (keys.length === 0 || deps.onlineAgents === undefined) return { first: execution, rest: [] };
    const groups = replicaTargets(execution.target, keys, await deps.onlineAgents(execution));
    const [head, ...rest] = groups;
    if (head === undefined) {
      const note = `spec.execution.target.replicate (${keys.join(", ")}): no online agent matches yet; the run waits for one and runs once`;
      return { first: { ...execution, warnings: [...execution.warnings, note] }, rest: [] };
    }
    const tags = { ...execution.tags, [REPLICAS_TAG]: execution.id };
    return { first: { ...execution, target: head.target, replicaGroup: execution.id, tags }, rest };
  }

  async function start(
    principal: Principal,
    env: EnvRef,
    workflowName: string,
    input: StartInput,
  ): Promise<ExecutionView> {
    const { orgId, envId } = env;
    authorize(principal, "run", { orgId, envId });
    const startedBy = startedByOf(principal, input);
    if (input.id !== undefined) {
      const existing = await executions.get({ orgId, envId, id: input.id });
      if (existing !== undefined) return toExecutionView(existing);
    }
    // The queue place and the run number are taken while the workflow is read (three round
    // trips at once, not in turn). Runs beyond the plan's concurrency wait queued; only a full
    // queue refuses. A refused or unstored run gives its number back (see `returnRunNumber`).
    const ref = { orgId, envId, id: input.id ?? nextId(clock.now()) };
    const [read, place, numbered] = await Promise.allSettled([
      workflows.get(principal, { orgId, envId }, workflowName),
      deps.runSlots.takeQueuePlace(ref),
      executions.nextRunNumber({ orgId, envId }, workflowName),
    ]);
    /** Gives back what was taken for a run that is not stored (a failure there leaves a gap). */
    const undo = async () => {
      await Promise.allSettled([
        place.status === "fulfilled" ? deps.runSlots.freeQueuePlace(ref) : undefined,
        numbered.status === "fulfilled"
          ? executions.returnRunNumber({ orgId, envId }, workflowName, numbered.value)
          : undefined,
      ]);
    };
    if (read.status === "rejected" || place.status === "rejected" || numbered.status === "rejected") {
      await undo();
      // The first refusal in this order is the answer: the workflow read's (not found, not allowed) first.
      throw [read, place, numbered].find((r) => r.status === "rejected")?.reason;
    }
    let execution: Execution;
    let rest: Replica[];
    let fromQueue: boolean;
    try {
      const started = { ...input, ...(startedBy ? { startedBy } : {}) };
      const prepared = await prepare(env, workflowName, read.value, started, ref.id, numbered.value);
      ({ first: execution, rest } = await replicas(prepared.execution, prepared.replicate));
      // A run offered by id rings before its record is stored: the claimer takes its run slot
      // while the record is written (agent-work.ts `claimOffered` waits for the record).
      // Grouped runs, children (which skip the run slot), targeted runs and runs that name
      // images (runtime-placement.ts) are claimed from the queue, where their record is read.
      fromQueue = Boolean(
        execution.concurrency || execution.parent || execution.target || execution.runtimeNeed,
      );
      const rung = fromQueue ? undefined : ring(env, execution.id);
      await executions.create(execution);
      await rung;
    } catch (error) {
      // Started meanwhile by the same request through another ingress: that one holds the
      // place (places are held per id), and is the answer.
      if (input.id !== undefined && error instanceof AppError && error.code === "already_exists") {
        await executions.returnRunNumber({ orgId, envId }, workflowName, numbered.value).catch(() => {});
        return toExecutionView(await load(principal, "run", { orgId, envId, id: input.id }));
      }
      // Not stored: the place and the number it took are given back.
      await undo();
      throw error;
    }
    if (fromQueue) await ring(env);
    await deps.lifecycle.created(execution);
    await cancelInProgress(execution);
    const view = toExecutionView(execution);
    const failed: string[] = [];
    for (const replica of rest) {
      // Each replica is a run of its own (number, queue place), linked by the group's tag.
      await start(principal, env, workflowName, {
        ...input,
        target: replica.target,
        replicaGroup: execution.id,
      }).catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        const labels = Object.entries(replica.labels).map(([k, v]) => `${k}=${v}`);
        failed.push(`the replica for ${labels.join(", ")} did not start: ${error.message}`);
      });
    }
    return failed.length === 0 ? view : { ...view, warnings: [...view.warnings, ...failed] };
  }

  /**
   * `concurrency.cancelInProgress`: the new run takes the place of the runs of its group before
   * it. Older runs still queued are canceled, and the oldest running members of a full group
   * are asked to abort; each says which run replaced it.
   */
  async function cancelInProgress(execution: Execution): Promise<void> {
    const policy = execution.concurrency;
    if (policy?.cancelInProgress !== true) return;
    const { orgId, envId } = execution;
    const by = `${execution.workflowName}-${execution.id} (concurrency.cancelInProgress of group ${policy.group})`;
    for (const older of await executions.listQueued({ orgId, envId }, 200)) {
      if (older.id >= execution.id || older.concurrency?.group !== policy.group) continue;
      await deps.lifecycle.apply({ orgId, envId, id: older.id }, "cancel", {
        set: { finishedAt: iso(), message: `canceled before it started: replaced by ${by}` },
      });
    }
    const active: Execution[] = [];
    for (const status of ["assigned", "running"] as const) {
      active.push(...(await executions.list({ orgId, envId }, { status }, { limit: 200 })).items);
    }
    for (const old of inProgressToCancel(execution, active)) {
      await deps.lifecycle.apply({ orgId, envId, id: old.id }, "requestAbort", {
        set: { abortRequestedAt: iso(), message: `canceled in progress by ${by}` },
      });
    }
  }

  return {
    start,

    /**
     * Starts the workflow of execution `id` again with the same config and tags (not the ones
     * the control plane set itself, such as a schedule's), linked to it by `rerunOf`.
     */
    async rerun(principal: Principal, ref: ExecutionRef): Promise<ExecutionView> {
      const original = await load(principal, "run", ref);
      const tags = Object.fromEntries(
        Object.entries(original.tags).filter(([key]) => !key.startsWith(INTERNAL_TAG_PREFIX)),
      );
      return start(principal, ref, original.workflowName, {
        config: original.config,
        tags,
        rerunOf: original.id,
        // The run it repeats went where its target said (a cron job's own one included).
        ...(original.target ? { target: original.target } : {}),
      });
    },

    async get(principal: Principal, ref: ExecutionRef): Promise<ExecutionView> {
      return toExecutionView(await load(principal, "read", ref));
    },

    async list(
      principal: Principal,
      env: EnvRef,
      filter: ExecutionFilter,
      page: { limit: number; cursor?: string },
    ): Promise<Page<ExecutionView>> {
      authorize(principal, "read", env);
      const result = await executions.list(envRefOf(env), filter, page);
      return { items: result.items.map(toExecutionView), nextCursor: result.nextCursor };
    },

    /** Queued runs are canceled at once; assigned or running ones are told to stop. */
    async abort(principal: Principal, ref: ExecutionRef): Promise<ExecutionView> {
      const execution = await load(principal, "run", ref);
      if (isTerminal(execution.status)) {
        throw new AppError(
          "failed_precondition",
          `execution ${ref.id} already finished (${execution.status})`,
        );
      }
      const now = iso();
      const canceled = await deps.lifecycle.apply(ref, "cancel", {
        set: { finishedAt: now, abortRequestedAt: now, message: "aborted before it started" },
      });
      if (canceled) return toExecutionView(canceled);
      const requested = await deps.lifecycle.apply(ref, "requestAbort", {
        set: { abortRequestedAt: execution.abortRequestedAt ?? now },
      });
      if (!requested) return toExecutionView(await load(principal, "run", ref));
      return toExecutionView(requested);
    },

    /**
     * Asks the agent to pause (`paused`) or resume the running execution: its processes stop
     * where they are and no further step starts until it is resumed; it keeps its lease.
     */
    async pause(principal: Principal, ref: ExecutionRef, paused: boolean): Promise<ExecutionView> {
      const execution = await load(principal, "run", ref);
      const { id } = ref;
      if (execution.status !== "running") {
        const what = paused ? "paused" : "resumed";
        throw new AppError(
          "failed_precondition",
          `execution ${id} is ${execution.status}: only a running execution can be ${what}`,
        );
      }
      const requested = await deps.lifecycle.apply(ref, "requestPause", {
        set: { pauseRequested: paused },
      });
      return toExecutionView(requested ?? (await load(principal, "run", ref)));
    },

    /**
     * Deletes a finished execution and queues the removal of its logs and artifacts: a
     * data-retention event, so the audit log keeps a trace of it.
     */
    async delete(principal: Principal, ref: ExecutionRef, meta?: RequestMeta) {
      const { orgId, envId, id } = ref;
      const execution = await load(principal, "run", ref);
      if (!isTerminal(execution.status)) {
        throw new AppError("failed_precondition", `execution ${id} is ${execution.status}: abort it first`);
      }
      await executions.delete({ orgId, envId, id });
      await jobs.send({ kind: "cleanup", id, payload: { orgId, envId, executionId: id } });
      await deps.audit.record({
        orgId,
        action: "execution.deleted",
        actor: auditActor(principal),
        target: { kind: "execution", id },
        details: { env: envId },
        ...(meta ? { meta } : {}),
      });
    },
  };
}

/** `spec.execution.target` as the execution keeps it, and its `replicate` label keys. */
const targetOf = (
  target:
    | { match?: Record<string, string[]>; not?: Record<string, string[]>; replicate?: string[] }
    | undefined,
): { target: Execution["target"]; replicate: string[] } => {
  const replicate = [...new Set(target?.replicate ?? [])];
  const out: NonNullable<Execution["target"]> = {};
  if (target?.match && Object.keys(target.match).length > 0) out.match = target.match;
  if (target?.not && Object.keys(target.not).length > 0) out.not = target.not;
  return { target: out.match || out.not ? out : undefined, replicate };
};

export type ExecutionService = ReturnType<typeof createExecutionService>;
