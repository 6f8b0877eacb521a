/**
 * Executes a plan: the step tree, in order, with services, parallel workers, fetched content,
 * conditions, retries, timeouts, optional and negative steps, and run-wide abort. The rules:
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
import { bareExpression, type Value } from "@assay/shared/workflow";
import { type ContentSource, fetchStepContent } from "./content-fetch.ts";
import { runExecute } from "./execute-step.ts";
import type { FileRoots } from "./file-functions.ts";
import { maskText } from "./masker.ts";
import {
  applyNegative,
  exitOutcome,
  failsGroup,
  groupOutcome,
  type Outcome,
  peaksOf,
} from "./outcome-rules.ts";
import { createPauseGate } from "./pause-gate.ts";
import { renderProcessRequest } from "./process-request.ts";
import { type ProcessContext, startProcess } from "./process-run.ts";
import { createResourceMonitor, type ResourceMonitor } from "./resource-monitor.ts";
import {
  evaluateRuntimeValue,
  evaluateStepCondition,
  type RuntimeScope,
  renderRuntimeText,
  withServiceAddresses,
} from "./runtime-expressions.ts";
import { createProcessRuntime } from "./runtimes/process/process-runtime.ts";
import type { ExecutionRuntime, StepRuntime, UnitSpace, WorkerSpace } from "./runtimes/runtime.ts";
import { createScope, type Scope } from "./scope.ts";
import { startServices } from "./services.ts";
import type {
  ChildRuns,
  CollectArtifacts,
  RunnerPlan,
  RunnerSink,
  RunnerStep,
  RunResult,
  StepEvent,
  StepFinalStatus,
} from "./types.ts";
import { fetchOut, transferIn } from "./worker-files.ts";
import { fillServiceSlots, fillSlots, runWorkers } from "./workers.ts";
import { resolveWorkingDir } from "./workspace.ts";

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
  now?: () => number;
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
}

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

interface GroupState {
  /** Something non-optional failed in this group or before it started. */
  failed: boolean;
}

/** Everything run-wide that changes while the run goes, in one place. */
interface RunState {
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
}

type Vars = Record<string, Value> | undefined;

/** Starts running `options.plan`; see the module header for the rules. */
export const startPlanRun = (options: PlanRunOptions): PlanRun => {
  const { plan, sink, workspace } = options;
  // Git tokens and keys are secrets too, wherever they came from.
  const secrets = [...options.secrets, plan.git?.token ?? "", plan.git?.sshKey ?? ""].filter((s) => s !== "");
  const now = options.now ?? Date.now;
  const stepRuntime = options.runtime ?? createProcessRuntime();
  const state: RunState = { steps: new Map(), wakeups: new Set(), waitingSteps: 0, failedBefore: new Map() };
  // The execution's own volumes; parallel workers may get spaces of their own (see isolateWorker).
  const rootSpace: UnitSpace = { workspace, volumes: {}, mounts: [] };
  const states = state.steps;
  const wakeups = state.wakeups;
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
  };
  const gate = createPauseGate({
    units: ctx.units,
    onChange: (paused, reason) => {
      line("", `[assay] ${paused ? "paused" : "resumed"}: ${reason}`);
      sink.paused?.(paused, reason);
    },
  });

  const emit = (event: StepEvent) => {
    const masked =
      event.message === undefined ? event : { ...event, message: maskText(event.message, secrets) };
    states.set(event.ref, masked);
    sink.step(masked);
  };
  const line = (ref: string, text: string) => {
    sink.log(ref, Buffer.from(`${maskText(text, secrets)}\n`));
  };
  const skipTree = (step: RunnerStep, message: string) => {
    emit({ ref: step.ref, status: "skipped", message });
    for (const child of step.steps) skipTree(child, message);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeups.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeups.add(done);
    });
  // Expressions see the environment the step's process gets: the host's, then the declared.
  const runtime = (
    group: GroupState,
    env: Record<string, string>,
    variables: Vars,
    files?: FileRoots,
  ): RuntimeScope => ({
    failed: group.failed,
    aborted: state.abortReason !== undefined,
    env: { ...options.baseEnv, ...env },
    variables,
    files,
  });
  // `file()` / `glob()` read the unit's /data and, in the process runtime, the host.
  const filesOf = (step: RunnerStep, space: UnitSpace): FileRoots => ({
    workspace: space.workspace,
    workingDir: step.workingDir,
    hostPaths: !stepRuntime.containers,
  });

  /** Renders what the planner left for run time into a process request (or an error). */
  const prepare = (step: RunnerStep, env: Record<string, string>, variables: Vars, space: UnitSpace) => {
    // `{{ passed }}` / `{{ failed }}` in a step's text speak of what ran before it, as in Testkube.
    const failed = { failed: state.failedBefore.get(step.ref) ?? false };
    const request = renderProcessRequest(step, env, runtime(failed, env, variables, filesOf(step, space)));
    if (typeof request !== "string" && space !== rootSpace) request.space = space;
    return request;
  };

  /** Files, git and tarballs of a step (or the plan); an error message when one failed. */
  const fetchContent = (
    ref: string,
    source: ContentSource,
    workingDir: string | undefined,
    space: UnitSpace,
  ) =>
    fetchStepContent(source, workingDir, {
      workspace: space.workspace,
      env: options.baseEnv,
      log: (text) => line(ref, text),
    });

  const runProcess = async (
    step: RunnerStep,
    scope: Scope,
    env: Record<string, string>,
    variables: Vars,
    space: UnitSpace,
  ): Promise<Outcome> => {
    if (scope.ended() !== undefined) return endedOutcome(scope, "before it started");
    const request = prepare(step, env, variables, space);
    if (typeof request === "string") {
      line(step.ref, `[assay] error: ${request}`);
      return { status: "failed", message: request };
    }
    const abortNow = state.abortReason !== undefined && step.condition !== "always";
    const proc = await startProcess(ctx, request, scope, abortNow);
    const exit = await proc.finished;
    const outcome = exitOutcome(exit, endedOutcome(scope, ""), state.abortReason);
    if (exit.startError !== undefined || exit.reason !== undefined)
      line(step.ref, `[assay] error: ${outcome.message}`);
    if (exit.startError !== undefined) return outcome;
    return { ...outcome, cpuPeakPercent: exit.cpuPeakPercent, memoryPeakBytes: exit.memoryPeakBytes };
  };

  /** The step's own work: its process (shell, command or entrypoint), then its `execute`. */
  const runOwn = async (
    step: RunnerStep,
    scope: Scope,
    env: Record<string, string>,
    variables: Vars,
    space: UnitSpace,
  ) => {
    const hasProcess =
      step.shell !== undefined || step.command !== undefined || step.container?.entrypoint === true;
    const own = hasProcess
      ? await runProcess(step, scope, env, variables, space)
      : { status: "passed" as const };
    if (step.execute === undefined || own.status !== "passed") return own;
    return runExecute(step, {
      children: options.children,
      line: (text) => line(step.ref, text),
      sleep,
      stopped: () => {
        if (state.abortReason !== undefined)
          return { status: "aborted" as const, reason: `aborted: ${state.abortReason}` };
        const end = scope.ended();
        if (end === undefined) return undefined;
        return end.kind === "timeout"
          ? { status: "timeout" as const, reason: "timed out" }
          : { status: "aborted" as const, reason: `cancelled: ${end.reason}` };
      },
      render: (text) =>
        renderRuntimeText(
          text,
          runtime(
            { failed: state.failedBefore.get(step.ref) ?? false },
            env,
            variables,
            filesOf(step, space),
          ),
        ),
      setWaiting: (waiting) => {
        state.waitingSteps += waiting ? 1 : -1;
      },
    });
  };

  /** Runs the body of `step` (or of the whole plan, as a pseudo-step); see the module header. */
  const runBody = async (
    step: RunnerStep,
    scope: Scope,
    env: Record<string, string>,
    group: GroupState,
    outerVariables: Vars,
    space: UnitSpace,
  ): Promise<Outcome> => {
    let variables = outerVariables;
    const failBody = (message: string, skipped: RunnerStep[]): Outcome => {
      line(step.ref, `[assay] error: ${message}`);
      for (const child of skipped) skipTree(child, "the step failed before it");
      return { status: "failed", message };
    };
    const contentError = await fetchContent(step.ref, step, step.workingDir, space);
    if (contentError !== undefined) return failBody(contentError, step.steps);
    const workers = step.steps.filter((s) => s.kind === "worker");
    const setup = step.steps.filter((s) => s.kind === undefined && s.phase === "setup");
    const rest = step.steps.filter((s) => s.kind === undefined && s.phase !== "setup");
    const filledServices = fillServiceSlots(
      step.steps.filter((s) => s.kind === "service"),
      {
        ...slotHooks(step, group, env, variables, space),
        emit,
      },
    );
    if (!filledServices.ok) {
      state.firstFailure ??= filledServices.error;
      return failBody(filledServices.error, [...setup, ...rest, ...workers]);
    }
    const serviceNodes = filledServices.nodes;
    const services =
      serviceNodes.length === 0
        ? undefined
        : await startServices(
            {
              ctx,
              emit,
              line,
              now,
              abortRequested: () => state.abortReason !== undefined,
              prepare: async (node) => {
                const error = await fetchContent(node.ref, node, node.workingDir, space);
                // The planner gave the instance its own env (with only the owner's global variables).
                return error ?? prepare(node, node.env, node.variables ?? variables, space);
              },
            },
            serviceNodes,
            scope,
          );
    let result: Outcome | undefined;
    try {
      if (services !== undefined && !services.ok) {
        state.firstFailure ??= services.message;
        return failBody(services.message, [...setup, ...rest, ...workers]);
      }
      if (services?.ok) variables = withServiceAddresses(variables, services.addresses);
      const children: GroupState = { failed: group.failed };
      let childFailed = false;
      let childAborted = false;
      const runChildren = async (list: RunnerStep[]) => {
        for (const child of list) {
          const status = await runStep(child, scope, children, env, variables, space);
          if (status === "aborted") childAborted = true;
          if (failsGroup(status, child.optional)) childFailed = true;
        }
      };
      await runChildren(setup);
      let own: Outcome | undefined;
      // A step with neither shell nor command runs its image's entrypoint (container runtimes).
      if (
        step.shell !== undefined ||
        step.command !== undefined ||
        step.container?.entrypoint === true ||
        step.execute !== undefined
      ) {
        own =
          childFailed || childAborted || scope.ended() !== undefined
            ? {
                status: childAborted ? "aborted" : scope.timedOut() ? "timeout" : "failed",
                message: "a setup step failed",
              }
            : await runOwn(step, scope, env, variables, space);
        if (own.status !== "passed") {
          for (const child of [...workers, ...rest]) skipTree(child, `parent step ${own.status}`);
          result = own;
          return own;
        }
      }
      if (workers.length > 0) {
        const ran = await runStepWorkers(step, workers, scope, children, env, variables, space);
        if (ran.failed) childFailed = true;
        if (ran.aborted) childAborted = true;
      }
      await runChildren(rest);
      result = outcomeOfGroup(step, own, { childFailed, childAborted }, scope);
      return result;
    } finally {
      // A service that exited on its own with an error fails its scope (Testkube does too).
      const serviceFailure = await services?.set.stop();
      if (serviceFailure !== undefined && result !== undefined && result.status === "passed") {
        state.firstFailure ??= serviceFailure;
        line(step.ref, `[assay] error: ${serviceFailure}`);
        result.status = "failed";
        result.message = serviceFailure;
      }
    }
  };

  /** What filling fan-out slots needs: fields evaluated where `step` runs, its log, skipping. */
  const slotHooks = (
    step: RunnerStep,
    group: GroupState,
    env: Record<string, string>,
    variables: Vars,
    space: UnitSpace,
  ) => {
    const files = filesOf(step, space);
    return {
      skipTree,
      line: (text: string) => line(step.ref, text),
      read: (text: string) => {
        const value = evaluateRuntimeValue(bareExpression(text), runtime(group, env, variables, files));
        if (!value.ok) throw new Error(value.error);
        return value.value;
      },
    };
  };

  /** The workers of `step` (its run-time fan-out resolved first); marks `children` failed on a failure. */
  const runStepWorkers = async (
    step: RunnerStep,
    slots: RunnerStep[],
    scope: Scope,
    children: GroupState,
    env: Record<string, string>,
    variables: Vars,
    space: UnitSpace,
  ): Promise<{ failed: boolean; aborted: boolean }> => {
    const hooks = {
      ...slotHooks(step, children, env, variables, space),
      runWorker: (worker: RunnerStep, own: Scope) =>
        runStep(worker, own, { failed: children.failed }, {}, worker.variables, space),
    };
    const filled = fillSlots(step.parallel?.fanOut, slots, "parallel", hooks);
    const result = filled.ok ? await runWorkers(step, filled.workers, scope, hooks) : undefined;
    if (!filled.ok) {
      line(step.ref, `[assay] error: ${filled.error}`);
      state.firstFailure ??= `step "${step.name}" failed: ${filled.error}`;
    }
    const failed = result === undefined || result.failed;
    if (failed) children.failed = true;
    return { failed, aborted: result?.aborted === true };
  };

  /** A group's outcome from its own process and its children's, with their peaks. */
  const outcomeOfGroup = (
    step: RunnerStep,
    own: Outcome | undefined,
    children: { childFailed: boolean; childAborted: boolean },
    scope: Scope,
  ): Outcome => {
    const outcome = groupOutcome({
      own,
      hasChildren: step.steps.length > 0,
      timedOut: scope.timedOut(),
      ...children,
      abortReason: state.abortReason,
    });
    return step.steps.length === 0 ? outcome : { ...outcome, ...peaksOf(step, own, states) };
  };

  const runStep = async (
    step: RunnerStep,
    scope: Scope,
    group: GroupState,
    inheritedEnv: Record<string, string>,
    inheritedVars: Vars,
    parentSpace: UnitSpace,
  ): Promise<StepFinalStatus> => {
    const env = { ...inheritedEnv, ...step.env };
    // A worker's own fan-out values win; service addresses of enclosing scopes stay visible.
    const variables = step.variables === undefined ? inheritedVars : { ...inheritedVars, ...step.variables };
    const ended = scope.ended();
    if (ended !== undefined || (state.abortReason !== undefined && step.condition !== "always")) {
      const why =
        ended?.kind === "timeout" ? "timed out" : ended?.kind === "cancelled" ? ended.reason : "aborted";
      skipTree(step, why);
      return "skipped";
    }
    const startedAtMs = now();
    state.failedBefore.set(step.ref, group.failed);
    const decision = evaluateStepCondition(
      step.condition,
      runtime(group, env, variables, filesOf(step, parentSpace)),
    );
    if (!decision.ok) {
      line(step.ref, `[assay] error: step "${step.name}": ${decision.error}`);
      for (const child of step.steps) skipTree(child, "parent step failed");
      emit({ ref: step.ref, status: "failed", startedAtMs, finishedAtMs: now(), message: decision.error });
      if (!step.optional) group.failed = true;
      state.firstFailure ??= `step "${step.name}" failed: ${decision.error}`;
      return "failed";
    }
    if (!decision.value) {
      skipTree(step, `condition "${step.condition || "passed"}" not met`);
      return "skipped";
    }
    emit({ ref: step.ref, status: "running", startedAtMs });
    for (const warning of step.warnings) line(step.ref, `[assay] warning: ${warning}`);
    // Testkube pauses the execution as a `paused` step starts; any step waits while paused.
    if (step.paused === true) gate.pause(`step "${step.name}" is paused`);
    await gate.wait();
    const isolated = await isolateWorker(step, parentSpace);
    if (typeof isolated === "string") {
      line(step.ref, `[assay] error: ${isolated}`);
      for (const child of step.steps) skipTree(child, "the worker's files could not be prepared");
      emit({ ref: step.ref, status: "failed", startedAtMs, finishedAtMs: now(), message: isolated });
      if (!step.optional) group.failed = true;
      state.firstFailure ??= `step "${step.name}" failed: ${isolated}`;
      return "failed";
    }
    try {
      return await runAttempts(
        step,
        scope,
        group,
        env,
        variables,
        isolated ?? parentSpace,
        startedAtMs,
        () =>
          isolated === undefined
            ? undefined
            : fetchOut(step.fetch ?? [], isolated, parentSpace, (t) => line(step.ref, t)),
      );
    } finally {
      await isolated?.release();
    }
  };

  /** A worker's own volumes with its transferred files, when the runtime isolates workers. */
  const isolateWorker = async (
    step: RunnerStep,
    parent: UnitSpace,
  ): Promise<WorkerSpace | string | undefined> => {
    const isolate = state.runtime?.isolate;
    if (step.kind !== "worker" || isolate === undefined) return undefined;
    let space: WorkerSpace;
    try {
      space = await isolate(step.ref);
    } catch (error) {
      return `the worker's volumes could not be made: ${(error as Error).message}`;
    }
    const failed = await transferIn(step.transfer ?? [], parent, space, (t) => line(step.ref, t));
    if (failed === undefined) return space;
    await space.release();
    return failed;
  };

  /** The attempts of a running step (retries), its artifacts and its final event. */
  const runAttempts = async (
    step: RunnerStep,
    scope: Scope,
    group: GroupState,
    env: Record<string, string>,
    variables: Vars,
    space: UnitSpace,
    startedAtMs: number,
    giveBack: () => Promise<string | undefined> | undefined,
  ): Promise<StepFinalStatus> => {
    if (step.delayMs !== undefined && step.delayMs > 0) await sleep(step.delayMs);
    const retries = step.retry?.count ?? 0;
    const until = step.retry?.until;
    let outcome: Outcome = { status: "passed" };
    for (let attempt = 0; ; attempt++) {
      const attemptScope = scope.child(step.timeoutMs);
      outcome = await runBody(step, attemptScope, env, group, variables, space);
      attemptScope.close();
      if (outcome.status === "aborted" || scope.ended() !== undefined || state.abortReason !== undefined)
        break;
      let done = outcome.status === "passed";
      if (until !== undefined && until !== "passed") {
        // In retry.until the keywords speak of the step itself (the planner folds
        // `self.failed` to `failed`): evaluate them against its own outcome.
        const own = outcome.status !== "passed";
        const scopeVars = { ...runtime({ failed: own }, env, variables), self: { status: outcome.status } };
        const check = evaluateStepCondition(until, scopeVars);
        if (!check.ok) {
          line(step.ref, `[assay] error: retry.until: ${check.error}`);
          break;
        }
        done = check.value;
      }
      if (done || attempt >= retries) break;
      line(step.ref, `[assay] step "${step.name}" ${outcome.status}; retry ${attempt + 1} of ${retries}`);
    }
    // Testkube fetches a worker's files back whatever its outcome, as an `always` step.
    const notFetched = await giveBack();
    if (notFetched !== undefined) {
      line(step.ref, `[assay] error: ${notFetched}`);
      if (outcome.status === "passed") outcome = { ...outcome, status: "failed", message: notFetched };
    }
    // Testkube collects artifacts whatever the step's outcome (a failed test's report matters most).
    if (step.artifacts !== undefined && options.collectArtifacts !== undefined) {
      await options.collectArtifacts({
        stepRef: step.ref,
        workspace: space.workspace,
        cwd: resolveWorkingDir(space.workspace, step.workingDir),
        paths: step.artifacts.paths,
        workingDir: step.artifacts.workingDir,
        secrets: options.secrets,
        log: (text) => line(step.ref, text),
      });
    }
    outcome = applyNegative(outcome, step.negative);
    emit({ ref: step.ref, startedAtMs, finishedAtMs: now(), ...outcome });
    const bad = outcome.status !== "passed";
    if (bad && !step.optional) group.failed = true;
    if (bad && !step.optional && outcome.status !== "aborted" && step.steps.length === 0) {
      state.firstFailure ??= `step "${step.name}" ${outcome.status}${outcome.message ? `: ${outcome.message}` : ""}`;
    }
    return outcome.status;
  };

  const run = async (): Promise<RunResult> => {
    for (const warning of plan.warnings ?? []) line("", `[assay] warning: ${warning}`);
    if (plan.unsupported.length > 0) {
      for (const u of plan.unsupported) line("", `[assay] error: ${u.path}: ${u.message}`);
      for (const step of plan.steps) skipTree(step, "the workflow cannot run on this agent");
      const list = plan.unsupported.map((u) => `${u.path}: ${u.message}`).join("; ");
      return finish({
        status: "failed",
        message: maskText(`unsupported by the ${stepRuntime.name} runtime: ${list}`, secrets),
      });
    }
    try {
      state.runtime = await stepRuntime.open({
        executionId: options.executionId ?? "run",
        workspace,
        baseEnv: options.baseEnv,
        killGraceMs: options.killGraceMs ?? 2000,
        monitor: options.monitor ?? createResourceMonitor(),
        pod: plan.pod,
      });
    } catch (error) {
      const message = `the ${stepRuntime.name} runtime cannot run this execution: ${(error as Error).message}`;
      line("", `[assay] error: ${message}`);
      for (const step of plan.steps) skipTree(step, "the runtime is unavailable");
      return finish({ status: "failed", message: maskText(message, secrets) });
    }
    try {
      return await runRoot();
    } finally {
      await state.runtime.close();
    }
  };

  const runRoot = async (): Promise<RunResult> => {
    // The run's deadline is wall-clock time; step timeouts below stand still while paused.
    const root = createScope(plan.timeoutMs, undefined, gate, true);
    const group: GroupState = { failed: false };
    // The workflow is a pseudo-step: its content, services and steps run like a step's.
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
    const outcome = await runBody(pseudo, root, {}, group, undefined, rootSpace);
    const timedOut = root.timedOut();
    root.close();
    if (state.abortReason !== undefined)
      return finish({ status: "aborted", message: `aborted: ${state.abortReason}` });
    if (timedOut) {
      const message = `the run timed out after ${formatMs(plan.timeoutMs ?? 0)}`;
      line("", `[assay] ${message}`);
      return finish({ status: "timeout", message });
    }
    if (group.failed || outcome.status !== "passed") {
      return finish({ status: "failed", message: state.firstFailure ?? outcome.message ?? "a step failed" });
    }
    return finish({ status: "passed", message: "" });
  };

  const collect = (steps: RunnerStep[], out: StepEvent[]) => {
    for (const step of steps) {
      out.push(states.get(step.ref) ?? { ref: step.ref, status: "skipped" });
      collect(step.steps, out);
    }
    return out;
  };
  const finish = (result: Omit<RunResult, "steps">): RunResult => ({
    ...result,
    steps: collect(plan.steps, []),
  });

  return {
    done: run(),
    abort(reason) {
      state.abortReason ??= reason;
      gate.resume("aborted");
      for (const kill of [...ctx.active]) kill();
      for (const wake of [...wakeups]) wake();
    },
    pause: (reason) => gate.pause(reason),
    resume: (reason) => gate.resume(reason),
    // Only a run whose every busy step waits on children: a process running beside them counts.
    waiting: () => state.waitingSteps > 0 && ctx.active.size === 0,
  };
};

/** The outcome of a step whose scope ended (timeout, or a fail-fast cancel). */
const endedOutcome = (scope: Scope, when: string): Outcome => {
  const end = scope.ended();
  if (end?.kind === "cancelled") return { status: "aborted", message: `cancelled: ${end.reason}` };
  return { status: "timeout", message: when ? `timed out ${when}` : "timed out" };
};

const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
