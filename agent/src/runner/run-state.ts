/**
 * The run-wide state of one plan run, in one object: the options it started with, what changes
 * while it goes (abort reason, first failure, every step's last event, waiting `execute` steps),
 * the process context and pause gate, and the small helpers every part of the runner shares
 * (emitting masked events and log lines, skipping a subtree, abortable sleeps, the expression
 * scope a step sees). run-plan.ts creates it; step-run.ts, step-body.ts and step-own.ts use it.
 */
import { join } from "node:path";
import type { Clock } from "@assay/shared/time";
import type { Value } from "@assay/shared/workflow";
import { type ContentSource, fetchStepContent } from "./content-fetch.ts";
import type { FileRoots } from "./file-functions.ts";
import { maskText } from "./masker.ts";
import { createPauseGate, type PauseGate } from "./pause-gate.ts";
import { renderProcessRequest } from "./process-request.ts";
import type { ProcessContext } from "./process-run.ts";
import type { ResourceMonitor } from "./resource-monitor.ts";
import type { RuntimeScope } from "./runtime-expressions.ts";
import { createProcessRuntime } from "./runtimes/process/process-runtime.ts";
import type { ExecutionRuntime, StepRuntime, UnitSpace } from "./runtimes/runtime.ts";
import type { Scope } from "./scope.ts";
import { createOutputsPod, OUTPUTS_IN_WORKSPACE } from "./step-outputs.ts";
import type {
  ChildRuns,
  CollectArtifacts,
  RunnerPlan,
  RunnerSink,
  RunnerStep,
  StepEvent,
  StepFinalStatus,
} from "./types.ts";

/** Inputs of one run. */
export interface PlanRunOptions {
  plan: RunnerPlan;
  /** The execution's own directory; `/data` maps here. */
  workspace: string;
  sink: RunnerSink;
  /** Environment every step starts from (usually the agent's). */
  baseEnv: Record<string, string>;
  /** Values masked in every byte of output and every message. */
  secrets: readonly string[];
  /** Grace between SIGTERM and SIGKILL, default 2000 ms. */
  killGraceMs?: number;
  /** Every time of the run: event times, timeouts, delays, kill graces, readiness waits. */
  clock: Clock;
  /** Collects `artifacts` of steps after they ran; without it they are not collected. */
  collectArtifacts?: CollectArtifacts;
  /** CPU/memory sampler shared by the agent's runs; a private one by default. */
  monitor?: ResourceMonitor;
  /** Where units run; the process runtime by default. */
  runtime?: StepRuntime;
  /** Names the execution's runtime objects (containers, networks); default "run". */
  executionId?: string;
  /** Starts and watches child executions (`execute` steps); without it they fail saying so. */
  children?: ChildRuns;
  /** When the agent took the run (epoch ms): `timeouts.initialization` counts from here. */
  takenAtMs?: number;
}

/** The state of one group of steps (a step's children, a worker's steps, the workflow's). */
export interface GroupState {
  /** Something non-optional failed in this group or before it started. */
  failed: boolean;
}

/** Everything run-wide that changes while the run goes, in one place. */
export interface RunState {
  /** Set by `abort()`; `always` steps still run after it. */
  abortReason?: string | undefined;
  /** The first non-optional failure, for the run's message. */
  firstFailure?: string | undefined;
  /** The last event of every step. */
  readonly steps: Map<string, StepEvent>;
  /** Sleeping `delay`s, woken by an abort. */
  readonly wakeups: Set<() => void>;
  /** The execution's runtime, open between the start and the end of the run. */
  runtime?: ExecutionRuntime | undefined;
  /** `execute` steps waiting for their children now. */
  waitingSteps: number;
  /** Whether something had failed when each step started (`passed`/`failed` in its text). */
  readonly failedBefore: Map<string, boolean>;
  /** Aborted when the run ends early (abort, run timeout): stops content fetches under way. */
  readonly stopped: AbortController;
  /** While the run initializes (run-plan.ts): what it does now, and the end of the phase. */
  initialization?: { doing: string; end(): void } | undefined;
}

export type Vars = Record<string, Value> | undefined;

/** Runs one step where it stands (step-run.ts); resolves with its final status. */
export type StepRunner = (
  step: RunnerStep,
  scope: Scope,
  group: GroupState,
  inheritedEnv: Record<string, string>,
  inheritedVars: Vars,
  parentSpace: UnitSpace,
) => Promise<StepFinalStatus>;

/** One run: its options, its state and the helpers its parts share. */
export interface RunContext {
  readonly options: PlanRunOptions;
  /** The options' secrets with the plan's git token and key. */
  readonly secrets: readonly string[];
  readonly clock: Clock;
  /** `clock.now()`. */
  readonly now: () => number;
  readonly stepRuntime: StepRuntime;
  readonly state: RunState;
  /** The execution's own volumes; parallel workers may get spaces of their own. */
  readonly rootSpace: UnitSpace;
  readonly ctx: ProcessContext;
  readonly gate: PauseGate;
  readonly runStep: StepRunner;
  emit(event: StepEvent): void;
  line(ref: string, text: string): void;
  skipTree(step: RunnerStep, message: string): void;
  /** Sleeps `ms`, or until the run is aborted. */
  sleep(ms: number): Promise<void>;
  /** What expressions of a step see: its group's state, the abort, its env and variables. */
  scopeOf(group: GroupState, env: Record<string, string>, variables: Vars, files?: FileRoots): RuntimeScope;
  /** Where `file()` / `glob()` read for `step` in `space`. */
  filesOf(step: RunnerStep, space: UnitSpace): FileRoots;
  /** Renders what the planner left for run time into a process request (or an error). */
  prepare(
    step: RunnerStep,
    env: Record<string, string>,
    variables: Vars,
    space: UnitSpace,
  ): ReturnType<typeof renderProcessRequest>;
  /** Files, git and tarballs of a step (or the plan); an error message when one failed. */
  fetchContent(
    ref: string,
    source: ContentSource,
    workingDir: string | undefined,
    space: UnitSpace,
  ): Promise<string | undefined>;
  /**
   * Fails a step that could not start (no process ran): logs `logged` (default: the message),
   * skips its children saying `skip`, reports it and marks its group.
   */
  failStart(
    step: RunnerStep,
    group: GroupState,
    startedAtMs: number,
    failure: { message: string; skip: string; logged?: string },
  ): void;
}

/** What each ref of the plan is, as messages name it: `step "Build"`, `service "db"`. */
const namesOf = (steps: readonly RunnerStep[], into = new Map<string, string>()): Map<string, string> => {
  for (const step of steps) {
    const name = step.kind === "service" ? (step.service?.name ?? step.name) : step.name;
    into.set(step.ref, `${step.kind === "service" ? "service" : "step"} "${name}"`);
    namesOf(step.steps, into);
  }
  return into;
};

/** The process context of a run (what runs now, its units) and its pause gate. */
const processContext = (
  state: RunState,
  sink: RunnerSink,
  secrets: readonly string[],
  line: (ref: string, text: string) => void,
  names: () => ReadonlyMap<string, string>,
): { ctx: ProcessContext; gate: PauseGate } => {
  const ctx: ProcessContext = {
    get runtime(): ExecutionRuntime {
      if (state.runtime === undefined) throw new Error("the runtime is not open");
      return state.runtime;
    },
    sink,
    secrets,
    active: new Set(),
    units: new Set(),
    paused: () => gate.paused,
    starting: (ref) => {
      if (state.initialization !== undefined)
        state.initialization.doing = `starting ${names().get(ref) ?? ref}`;
    },
    started: () => state.initialization?.end(),
  };
  const gate = createPauseGate({
    units: ctx.units,
    onChange: (paused, reason) => {
      line("", `[assay] ${paused ? "paused" : "resumed"}: ${reason}`);
      sink.paused?.(paused, reason);
    },
  });
  return { ctx, gate };
};

/** Creates the context of a run of `options.plan`; `runStep` runs one step (step-run.ts). */
export const createRunContext = (
  options: PlanRunOptions,
  runStep: (run: RunContext, ...args: Parameters<StepRunner>) => Promise<StepFinalStatus>,
): RunContext => {
  const { plan, sink, workspace, clock } = options;
  // Git tokens and keys are secrets too, wherever they came from.
  const secrets = [...options.secrets, plan.git?.token ?? "", plan.git?.sshKey ?? ""].filter((s) => s !== "");
  const state: RunState = {
    steps: new Map(),
    wakeups: new Set(),
    waitingSteps: 0,
    failedBefore: new Map(),
    stopped: new AbortController(),
  };
  const stepRuntime = options.runtime ?? createProcessRuntime();
  // The workflow's own step outputs; each parallel worker gets its own (step-run.ts).
  const outputs = createOutputsPod(join(workspace, OUTPUTS_IN_WORKSPACE), plan.steps);
  const rootSpace: UnitSpace = { workspace, volumes: {}, mounts: [], outputs };
  const line = (ref: string, text: string) => {
    sink.log(ref, Buffer.from(`${maskText(text, secrets)}\n`));
  };
  let known: Map<string, string> | undefined;
  const names = () => {
    known ??= namesOf(plan.steps);
    return known;
  };
  const { ctx, gate } = processContext(state, sink, secrets, line, names);
  const run: RunContext = {
    options,
    secrets,
    clock,
    now: () => clock.now(),
    stepRuntime,
    state,
    rootSpace,
    ctx,
    gate,
    runStep: (...args) => runStep(run, ...args),
    emit: (event) => {
      const masked =
        event.message === undefined ? event : { ...event, message: maskText(event.message, secrets) };
      state.steps.set(event.ref, masked);
      sink.step(masked);
    },
    line,
    skipTree: (step, message) => {
      run.emit({ ref: step.ref, status: "skipped", message });
      for (const child of step.steps) run.skipTree(child, message);
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const done = () => {
          cancel();
          state.wakeups.delete(done);
          resolve();
        };
        const cancel = clock.after(ms, done);
        state.wakeups.add(done);
      }),
    // Expressions see the environment the step's process gets: the host's, then the declared.
    scopeOf: (group, env, variables, files) => ({
      failed: group.failed,
      aborted: state.abortReason !== undefined,
      env: { ...options.baseEnv, ...env },
      variables,
      files,
    }),
    // `file()` / `glob()` read the unit's /data and, in the process runtime, the host.
    filesOf: (step, space) => ({
      workspace: space.workspace,
      workingDir: step.workingDir,
      hostPaths: !stepRuntime.containers,
    }),
    prepare: (step, env, variables, space) => {
      // `{{ passed }}` / `{{ failed }}` in a step's text speak of what ran before it, as in Testkube.
      const failed = { failed: state.failedBefore.get(step.ref) ?? false };
      const files = run.filesOf(step, space);
      const request = renderProcessRequest(step, env, run.scopeOf(failed, env, variables, files));
      if (typeof request === "string") return request;
      if (space !== rootSpace) request.space = space;
      request.outputsDir = space.outputs?.dir;
      return request;
    },
    fetchContent: (ref, source, workingDir, space) => {
      const init = state.initialization;
      if (init !== undefined && (source.git !== undefined || (source.tarballs ?? []).length > 0))
        init.doing = `fetching the content of ${ref === "" ? "the workflow" : (names().get(ref) ?? ref)}`;
      return fetchStepContent(source, workingDir, {
        workspace: space.workspace,
        env: options.baseEnv,
        log: (text) => line(ref, text),
        signal: state.stopped.signal,
      });
    },
    failStart: (step, group, startedAtMs, { message, skip, logged }) => {
      line(step.ref, `[assay] error: ${logged ?? message}`);
      for (const child of step.steps) run.skipTree(child, skip);
      run.emit({ ref: step.ref, status: "failed", startedAtMs, finishedAtMs: run.now(), message });
      if (!step.optional) group.failed = true;
      state.firstFailure ??= `step "${step.name}" failed: ${message}`;
    },
  };
  return run;
};
