/**
 * One step where it stands in the tree: skipped when its scope ended or the run was aborted
 * (unless `always`), its `condition` evaluated against its group's state, held while the run
 * is paused, a worker's own volumes made (files transferred in, fetched back after), then its
 * attempts (`delay`, `retry`, each attempt with its own timeout), its artifacts, `negative`,
 * and its final event. Its body is step-body.ts's.
 */
import { applyNegative, failsGroup, type Outcome } from "./outcome-rules.ts";
import type { GroupState, RunContext, Vars } from "./run-state.ts";
import { evaluateStepCondition } from "./runtime-expressions.ts";
import type { UnitSpace, WorkerSpace } from "./runtimes/runtime.ts";
import type { Scope } from "./scope.ts";
import { runBody } from "./step-body.ts";
import { createOutputsPod, stepVariable, unitOutputsDir } from "./step-outputs.ts";
import type { RunnerStep, StepFinalStatus } from "./types.ts";
import { fetchOut, transferIn } from "./worker-files.ts";
import { resolveWorkingDir } from "./workspace.ts";

/** Runs `step` in `scope` and `group`, inside its parent's env, variables and volumes. */
export const runStep = async (
  run: RunContext,
  step: RunnerStep,
  scope: Scope,
  group: GroupState,
  inheritedEnv: Record<string, string>,
  inheritedVars: Vars,
  parentSpace: UnitSpace,
): Promise<StepFinalStatus> => {
  const { state } = run;
  const env = { ...inheritedEnv, ...step.env };
  // A worker's own fan-out values win; service addresses of enclosing scopes stay visible.
  const own = step.variables === undefined ? inheritedVars : { ...inheritedVars, ...step.variables };
  // A parallel worker is a pod of its own in Testkube: its steps have their own outputs.
  const pod =
    step.kind === "worker"
      ? createOutputsPod(unitOutputsDir(run.rootSpace.workspace, step.ref), step.steps)
      : parentSpace.outputs;
  const variables = pod === undefined ? own : { ...own, step: stepVariable(step, pod) };
  const ended = scope.ended();
  if (ended !== undefined || (state.abortReason !== undefined && step.condition !== "always")) {
    const why =
      ended?.kind === "timeout" ? "timed out" : ended?.kind === "cancelled" ? ended.reason : "aborted";
    run.skipTree(step, why);
    return "skipped";
  }
  const startedAtMs = run.now();
  state.failedBefore.set(step.ref, group.failed);
  const decision = evaluateStepCondition(
    step.condition,
    run.scopeOf(group, env, variables, run.filesOf(step, parentSpace)),
  );
  if (!decision.ok) {
    const logged = `step "${step.name}": ${decision.error}`;
    run.failStart(step, group, startedAtMs, { message: decision.error, skip: "parent step failed", logged });
    return "failed";
  }
  if (!decision.value) {
    run.skipTree(step, `condition "${step.condition || "passed"}" not met`);
    return "skipped";
  }
  run.emit({ ref: step.ref, status: "running", startedAtMs });
  for (const warning of step.warnings) run.line(step.ref, `[assay] warning: ${warning}`);
  // Testkube pauses the execution as a `paused` step starts; any step waits while paused.
  if (step.paused === true) run.gate.pause(`step "${step.name}" is paused`);
  await run.gate.wait();
  const isolated = await isolateWorker(run, step, parentSpace);
  if (typeof isolated === "string") {
    run.failStart(step, group, startedAtMs, {
      message: isolated,
      skip: "the worker's files could not be prepared",
    });
    return "failed";
  }
  const giveBack = () =>
    isolated === undefined
      ? undefined
      : fetchOut(step.fetch ?? [], isolated, parentSpace, (t) => run.line(step.ref, t));
  try {
    const base = isolated ?? parentSpace;
    const space = step.kind === "worker" ? { ...base, outputs: pod } : base;
    const outcome = await runAttempts(run, step, scope, group, env, variables, space);
    return await settle(run, step, group, space, startedAtMs, outcome, giveBack);
  } finally {
    await isolated?.release();
  }
};

/** A worker's own volumes with its transferred files, when the runtime isolates workers. */
const isolateWorker = async (
  run: RunContext,
  step: RunnerStep,
  parent: UnitSpace,
): Promise<WorkerSpace | string | undefined> => {
  const isolate = run.state.runtime?.isolate;
  if (step.kind !== "worker" || isolate === undefined) return undefined;
  let space: WorkerSpace;
  try {
    space = await isolate(step.ref);
  } catch (error) {
    return `the worker's volumes could not be made: ${(error as Error).message}`;
  }
  const failed = await transferIn(step.transfer ?? [], parent, space, (t) => run.line(step.ref, t));
  if (failed === undefined) return space;
  await space.release();
  return failed;
};

/** The attempts of a running step: its `delay`, then its body until `retry` says done. */
const runAttempts = async (
  run: RunContext,
  step: RunnerStep,
  scope: Scope,
  group: GroupState,
  env: Record<string, string>,
  variables: Vars,
  space: UnitSpace,
): Promise<Outcome> => {
  const { state } = run;
  if (step.delayMs !== undefined && step.delayMs > 0) await run.sleep(step.delayMs);
  const retries = step.retry?.count ?? 0;
  const until = step.retry?.until;
  let outcome: Outcome = { status: "passed" };
  for (let attempt = 0; ; attempt++) {
    const attemptScope = scope.child(step.timeoutMs);
    outcome = await runBody(run, step, attemptScope, env, group, variables, space);
    attemptScope.close();
    if (outcome.status === "aborted" || scope.ended() !== undefined || state.abortReason !== undefined) break;
    let done = outcome.status === "passed";
    if (until !== undefined && until !== "passed") {
      // In retry.until the keywords speak of the step itself (the planner folds
      // `self.failed` to `failed`): evaluate them against its own outcome.
      const own = outcome.status !== "passed";
      const scopeVars = { ...run.scopeOf({ failed: own }, env, variables), self: { status: outcome.status } };
      const check = evaluateStepCondition(until, scopeVars);
      if (!check.ok) {
        run.line(step.ref, `[assay] error: retry.until: ${check.error}`);
        break;
      }
      done = check.value;
    }
    if (done || attempt >= retries) break;
    run.line(step.ref, `[assay] step "${step.name}" ${outcome.status}; retry ${attempt + 1} of ${retries}`);
  }
  return outcome;
};

/** After the attempts: a worker's files back, artifacts, `negative`, the final event, the group. */
const settle = async (
  run: RunContext,
  step: RunnerStep,
  group: GroupState,
  space: UnitSpace,
  startedAtMs: number,
  attempted: Outcome,
  giveBack: () => Promise<string | undefined> | undefined,
): Promise<StepFinalStatus> => {
  const { options } = run;
  let outcome = attempted;
  // Testkube fetches a worker's files back whatever its outcome, as an `always` step.
  const notFetched = await giveBack();
  if (notFetched !== undefined) {
    run.line(step.ref, `[assay] error: ${notFetched}`);
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
      log: (text) => run.line(step.ref, text),
    });
  }
  outcome = applyNegative(outcome, step.negative);
  run.emit({ ref: step.ref, startedAtMs, finishedAtMs: run.now(), ...outcome });
  // A body never ends `skipped`, so this is every status but `passed` on a non-optional step.
  const fails = failsGroup(outcome.status, step.optional);
  if (fails) group.failed = true;
  // The run's message names the first leaf that failed (an abort is reported as the run's).
  if (fails && outcome.status !== "aborted" && step.steps.length === 0) {
    run.state.firstFailure ??= `step "${step.name}" ${outcome.status}${outcome.message ? `: ${outcome.message}` : ""}`;
  }
  return outcome.status;
};
