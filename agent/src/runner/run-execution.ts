/**
 * One execution from a RunCommand's point of view: spec text in, result out. Plans the spec
 * (parse errors and unsupported features fail the run loudly, in the log and in the result),
 * makes a fresh workspace, runs the plan there and removes the workspace afterwards.
 */
import type { Clock } from "@assay/shared/time";
import type { RunPlace } from "@assay/shared/workflow";
import type { StepRuntime } from "./runtimes/runtime.ts";
import type { ChildRuns, CollectArtifacts, RunnerPlan, RunnerSink, RunResult } from "./types.ts";

/**
 * The outcome of turning spec text into a plan; `secrets` are resolved credential values the
 * log masker hides like sensitive config.
 */
export type PlanOutcome =
  | { ok: true; plan: RunnerPlan; secrets?: string[] }
  | { ok: false; message: string; details: string[] };

/** Which execution a plan is for: `{{ execution.id }}` and `{{ execution.name }}` in steps. */
export interface PlanExecution {
  id: string;
  /** The workflow's run number (`execution.number`), when the control plane sent one. */
  number?: number;
  /** When the run was queued, ISO 8601 (`execution.scheduledAt`). */
  scheduledAt?: string;
  /** Organization, environment and dashboard of the run, when the control plane sent them. */
  place?: RunPlace;
  /** The environment the agent serves (`fieldRef: metadata.namespace`). */
  namespace?: string;
}

/** Turns a spec (YAML text) and the resolved config into a plan. */
export type PlanSpec = (
  specYaml: string,
  config: Record<string, string>,
  execution?: PlanExecution,
) => PlanOutcome | Promise<PlanOutcome>;

export interface ExecutionRequest {
  executionId: string;
  /** The workflow's run number in its environment (`execution.number`). */
  executionNumber?: number;
  /** When the run was queued, ISO 8601 (`execution.scheduledAt`). */
  scheduledAt?: string;
  /** Where the run belongs (`organization.id`, `environment.id`, `dashboard.url`). */
  place?: RunPlace;
  specYaml: string;
  config: Record<string, string>;
  /** Names of config values to mask in the log. */
  sensitive: readonly string[];
  /** Parent of the per-execution workspaces. */
  workRoot: string;
  sink: RunnerSink;
  baseEnv: Record<string, string>;
  planSpec: PlanSpec;
  killGraceMs?: number;
  /** The agent's clock: the run's times, timeouts and waits. */
  clock: Clock;
  collectArtifacts?: CollectArtifacts;
  /** Where units run; the process runtime by default. */
  runtime?: StepRuntime;
  /** Child executions of `execute` steps, through the control plane. */
  children?: ChildRuns;
}

/** A running execution. */
export interface ExecutionRun {
  readonly done: Promise<RunResult>;
  abort(reason: string): void;
  /** True while it only waits for child executions (it then uses none of the agent's capacity). */
  waiting(): boolean;
  /** Pauses (`true`) or resumes the run; a no-op when it already is so or has not started. */
  setPaused(paused: boolean, reason: string): void;
}

/** Starts an execution; `done` never rejects (internal errors become a failed result). */
export const startExecution = (request: ExecutionRequest): ExecutionRun => {
  let abortReason: string | undefined;
  let current: import("./run-plan.ts").PlanRun | undefined;
  /** A pause asked before the plan started: applied when it does. */
  let pausedBefore: string | undefined;
  let secrets = request.sensitive.map((name) => request.config[name] ?? "").filter((v) => v.length > 0);

  const failLoudly = (message: string, details: string[]): RunResult => {
    for (const detail of details) request.sink.log("", Buffer.from(`[assay] error: ${detail}\n`));
    request.sink.log("", Buffer.from(`[assay] error: ${message}\n`));
    return { status: "failed", message, steps: [] };
  };

  // `timeouts.initialization` counts from here: planning and credentials are part of it.
  const takenAtMs = request.clock.now();
  const run = async (): Promise<RunResult> => {
    let outcome: PlanOutcome;
    try {
      outcome = await request.planSpec(request.specYaml, request.config, {
        id: request.executionId,
        ...(request.executionNumber === undefined ? {} : { number: request.executionNumber }),
        ...(request.scheduledAt === undefined ? {} : { scheduledAt: request.scheduledAt }),
        ...(request.place === undefined ? {} : { place: request.place }),
      });
    } catch (error) {
      return failLoudly(`the workflow could not be planned: ${(error as Error).message}`, []);
    }
    if (!outcome.ok) return failLoudly(outcome.message, outcome.details);
    if (outcome.secrets !== undefined) secrets = [...secrets, ...outcome.secrets];
    if (abortReason !== undefined)
      return { status: "aborted", message: `aborted: ${abortReason}`, steps: [] };
    // Loaded on the first run (they pull in the shared workflow module): an idle agent stays small.
    const [{ startPlanRun }, { createWorkspace, removeWorkspace }] = await Promise.all([
      import("./run-plan.ts"),
      import("./workspace.ts"),
    ]);
    const workspace = await createWorkspace(request.workRoot, request.executionId);
    try {
      const planRun = startPlanRun({
        plan: outcome.plan,
        workspace,
        sink: request.sink,
        baseEnv: request.baseEnv,
        secrets,
        killGraceMs: request.killGraceMs,
        clock: request.clock,
        collectArtifacts: request.collectArtifacts,
        runtime: request.runtime,
        executionId: request.executionId,
        children: request.children,
        takenAtMs,
      });
      current = planRun;
      if (abortReason !== undefined) planRun.abort(abortReason);
      else if (pausedBefore !== undefined) planRun.pause(pausedBefore);
      return await planRun.done;
    } catch (error) {
      return failLoudly(`the runner failed: ${(error as Error).message}`, []);
    } finally {
      await removeWorkspace(workspace);
    }
  };

  return {
    done: run(),
    abort(reason) {
      abortReason ??= reason;
      current?.abort(reason);
    },
    waiting: () => current?.waiting() ?? false,
    setPaused(paused, reason) {
      if (current === undefined) pausedBefore = paused ? reason : undefined;
      else if (paused) current.pause(reason);
      else current.resume(reason);
    },
  };
};
