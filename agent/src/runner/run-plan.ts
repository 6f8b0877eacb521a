/**
 * Executes a plan: the step tree, in order, with services, parallel workers, fetched content,
 * conditions, retries, timeouts, optional and negative steps, and run-wide abort. This file
 * opens the runtime, runs the workflow as a pseudo-step and makes the run's result; the parts
 * live beside it: run-state.ts (the run-wide state and shared helpers), step-run.ts (one step:
 * condition, pause, attempts, final event), step-body.ts (a body: content, services, setup,
 * own work, workers, children), step-own.ts (a step's process and `execute`), outcome-rules.ts
 * (what fails a group, a group's outcome). The rules:
 *
 * - A step's `condition` is evaluated against its group's state: `passed` runs when nothing
 *   non-optional has failed so far (in the group or before it), `failed` only after a failure,
 *   `always` always (also after an abort), `never` never; other expressions are evaluated with
 *   the shared engine (runtime-expressions.ts). A bad expression fails the step, saying why.
 * - Inside a step, in order: its content (files, git, tarballs), its services (started, then
 *   awaited until ready; a service that never gets ready fails the step), its `setup` children,
 *   its own command, its parallel workers, its `steps` children; then its services stop.
 *   The workflow is the same with the plan's content and top-level services.
 * - A group passes when all its non-optional children passed or were skipped. `optional`
 *   failures do not fail the parent; `negative` swaps passed and failed; `retry.count` reruns
 *   the step until `retry.until` holds (default: it passed), each attempt with its own timeout.
 * - Workers run up to `parallelism` at once, each with its own group state (one worker's
 *   failure does not skip another's steps); with `failFast` the first failure cancels the
 *   others (their steps end `aborted`) and the ones not started are skipped. A fan-out the
 *   planner left for run time (`glob()` shards of workers or service instances) is resolved
 *   as the step is reached, filling the planned slots (workers.ts); `file()` / `glob()` read
 *   relative to each step's working directory (file-functions.ts).
 * - `timeoutMs` (per step, and the plan's for the whole run) kills the process group of whatever
 *   runs inside; those steps end as `timeout` and the rest of the scope is skipped.
 * - `abort()` kills what runs now; the remaining steps are skipped except `always` ones.
 * - Every process's CPU and memory peaks are reported with its step; a group reports the
 *   highest of its children.
 */
import { maskText } from "./masker.ts";
import { createResourceMonitor } from "./resource-monitor.ts";
import { createRunContext, type GroupState, type PlanRunOptions, type RunContext } from "./run-state.ts";
import { createScope, type Scope } from "./scope.ts";
import { runBody } from "./step-body.ts";
import { runStep } from "./step-run.ts";
import type { RunnerStep, RunResult, StepEvent } from "./types.ts";

export type { PlanRunOptions } from "./run-state.ts";

/** A run in progress. */
export interface PlanRun {
  readonly done: Promise<RunResult>;
  /** Kills what runs now and skips the rest (except `always` steps). Idempotent. */
  abort(reason: string): void;
  /** True while every step that runs now is waiting for child executions (it uses no capacity). */
  waiting(): boolean;
  /** Freezes what runs and holds further steps (pause-gate.ts); idempotent. */
  pause(reason: string): void;
  resume(reason: string): void;
}

/** Starts running `options.plan`; see the module header for the rules. */
export const startPlanRun = (options: PlanRunOptions): PlanRun => {
  const run = createRunContext(options, runStep);
  const { state, ctx, gate } = run;
  // The clock's timers do not hold the process: a run in progress does, as its processes do.
  const holdOpen = setInterval(() => {}, 1 << 30);
  const done = runPlan(run).finally(() => clearInterval(holdOpen));
  return {
    done,
    abort(reason) {
      state.abortReason ??= reason;
      state.stopped.abort();
      gate.resume("aborted");
      for (const kill of [...ctx.active]) kill();
      for (const wake of [...state.wakeups]) wake();
    },
    pause: (reason) => gate.pause(reason),
    resume: (reason) => gate.resume(reason),
    // Only a run whose every busy step waits on children: a process running beside them counts.
    waiting: () => state.waitingSteps > 0 && ctx.active.size === 0,
  };
};

/** Refuses a plan with unsupported parts, or opens the runtime, runs the workflow and closes it. */
const runPlan = async (run: RunContext): Promise<RunResult> => {
  const { options, state, stepRuntime, secrets } = run;
  const { plan } = options;
  for (const warning of plan.warnings ?? []) run.line("", `[assay] warning: ${warning}`);
  if (plan.unsupported.length > 0) {
    for (const u of plan.unsupported) run.line("", `[assay] error: ${u.path}: ${u.message}`);
    for (const step of plan.steps) run.skipTree(step, "the workflow cannot run on this agent");
    const list = plan.unsupported.map((u) => `${u.path}: ${u.message}`).join("; ");
    return finish(run, {
      status: "failed",
      message: maskText(`unsupported by the ${stepRuntime.name} runtime: ${list}`, secrets),
    });
  }
  const spent = initializationSpent(run);
  if (spent !== undefined) {
    // Planning and credentials used the whole budget: no runtime is opened, no step starts.
    run.line("", `[assay] error: ${spent}`);
    for (const step of plan.steps) run.skipTree(step, "timeouts.initialization elapsed");
    return finish(run, { status: "timeout", message: spent });
  }
  const init = initializationScope(run);
  try {
    state.runtime = await stepRuntime.open({
      executionId: options.executionId ?? "run",
      workspace: options.workspace,
      baseEnv: options.baseEnv,
      killGraceMs: options.killGraceMs ?? 2000,
      clock: run.clock,
      monitor: options.monitor ?? createResourceMonitor({ clock: run.clock }),
      pod: plan.pod,
    });
  } catch (error) {
    const message = `the ${stepRuntime.name} runtime cannot run this execution: ${(error as Error).message}`;
    run.line("", `[assay] error: ${message}`);
    for (const step of plan.steps) run.skipTree(step, "the runtime is unavailable");
    return finish(run, { status: "failed", message: maskText(message, secrets) });
  }
  try {
    return await runRoot(run, init);
  } finally {
    init?.scope.close();
    await state.runtime.close();
  }
};

/** The workflow as a pseudo-step (its content, services and steps run like a step's); the run's result. */
const runRoot = async (run: RunContext, init: Initialization | undefined): Promise<RunResult> => {
  const { plan } = run.options;
  const { state } = run;
  // The run's deadline is wall-clock time; step timeouts below stand still while paused.
  const root = createScope(run.clock, plan.timeoutMs, init?.scope, run.gate, true);
  root.onTimeout(() => state.stopped.abort());
  const group: GroupState = { failed: false };
  const pseudo: RunnerStep = {
    ref: "",
    name: "workflow",
    env: {},
    condition: "always",
    optional: false,
    negative: false,
    steps: plan.steps,
    warnings: [],
    files: plan.files,
    git: plan.git,
    tarballs: plan.tarballs,
  };
  const outcome = await runBody(run, pseudo, root, {}, group, undefined, run.rootSpace);
  const timedOut = root.timedOut();
  root.close();
  if (state.abortReason !== undefined)
    return finish(run, { status: "aborted", message: `aborted: ${state.abortReason}` });
  if (init?.expired !== undefined) {
    run.line("", `[assay] error: ${init.expired}`);
    return finish(run, { status: "timeout", message: init.expired });
  }
  if (timedOut) {
    const message = `the run timed out after ${formatMs(plan.timeoutMs ?? 0)}`;
    run.line("", `[assay] ${message}`);
    return finish(run, { status: "timeout", message });
  }
  if (group.failed || outcome.status !== "passed") {
    return finish(run, {
      status: "failed",
      message: state.firstFailure ?? outcome.message ?? "a step failed",
    });
  }
  return finish(run, { status: "passed", message: "" });
};

/**
 * `timeouts.initialization`: the longest from the agent taking the run (planning, credentials,
 * the runtime, the workflow's content, a service's or step's image pull and container) until
 * the first unit of a step or service starts, or an `execute` step begins. A scope above the
 * run's: when it expires everything under it ends `timeout` (an image pull, a clone or a
 * download under way is stopped) and the run ends `timeout` saying what it was still doing.
 * Its clock stands still while the run is paused.
 */
interface Initialization {
  scope: Scope;
  /** Why the run ended, once the initialization expired. */
  expired?: string;
}

const expiredWhile = (limit: number, doing: string) =>
  `timeouts.initialization (${formatMs(limit)}) elapsed before the first step started: still ${doing}`;

/** What is left of `timeouts.initialization` when the run reaches the runner (undefined: no limit). */
const initializationLeft = (run: RunContext): { limit: number; left: number } | undefined => {
  const { plan, takenAtMs } = run.options;
  const limit = plan.initializationTimeoutMs;
  if (limit === undefined || limit <= 0) return undefined;
  return { limit, left: limit - Math.max(0, run.now() - (takenAtMs ?? run.now())) };
};

/**
 * Why the run ends before it starts: its initialization budget was spent before it reached the
 * runner (it ends now, not on a timer that a quick first step could outrun).
 */
const initializationSpent = (run: RunContext): string | undefined => {
  const budget = initializationLeft(run);
  return budget !== undefined && budget.left <= 0
    ? expiredWhile(budget.limit, "preparing the run")
    : undefined;
};

const initializationScope = (run: RunContext): Initialization | undefined => {
  const budget = initializationLeft(run);
  if (budget === undefined) return undefined;
  const { limit, left } = budget;
  const { state } = run;
  const scope = createScope(run.clock, left, undefined, run.gate);
  const result: Initialization = { scope };
  const phase = {
    doing: "preparing the run",
    end: () => {
      state.initialization = undefined;
      scope.close();
    },
  };
  state.initialization = phase;
  scope.onTimeout(() => {
    result.expired = expiredWhile(limit, phase.doing);
    state.initialization = undefined;
    state.stopped.abort();
  });
  return result;
};

/** The run's result with every step's last event, in plan order (never reached: skipped). */
const finish = (run: RunContext, result: Omit<RunResult, "steps">): RunResult => {
  const collect = (steps: RunnerStep[], out: StepEvent[]) => {
    for (const step of steps) {
      out.push(run.state.steps.get(step.ref) ?? { ref: step.ref, status: "skipped" });
      collect(step.steps, out);
    }
    return out;
  };
  return { ...result, steps: collect(run.options.plan.steps, []) };
};

const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
