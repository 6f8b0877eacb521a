/**
 * The body of a running step (or of the workflow, as a pseudo-step), in order: its content
 * (files, git, tarballs), its services (started, then awaited until ready; a service that never
 * gets ready fails the step), its `setup` children in sequence, its own work (step-own.ts), its
 * parallel workers (workers.ts, a run-time fan-out filled first), its other children in
 * sequence; then its services stop (one that failed on its own fails a passed body). Whether a
 * child fails its group, and the group's outcome, are outcome-rules.ts's.
 */
import { bareExpression } from "@assay/shared/workflow";
import { failsGroup, groupOutcome, type Outcome, peaksOf } from "./outcome-rules.ts";
import type { GroupState, RunContext, Vars } from "./run-state.ts";
import { evaluateRuntimeValue, withServiceAddresses } from "./runtime-expressions.ts";
import type { UnitSpace } from "./runtimes/runtime.ts";
import type { Scope } from "./scope.ts";
import { type ServicesStart, startServices } from "./services.ts";
import { unitOutputsDir } from "./step-outputs.ts";
import { hasProcess, runOwn } from "./step-own.ts";
import type { RunnerStep, StepFinalStatus } from "./types.ts";
import { fillServiceSlots, fillSlots, runWorkers } from "./workers.ts";

/** Where a body runs: its scope, environment, variables and volumes. */
interface Where {
  scope: Scope;
  env: Record<string, string>;
  variables: Vars;
  space: UnitSpace;
}

/** What the children of a group did, as groupOutcome reads it. */
interface Tally {
  childFailed: boolean;
  childAborted: boolean;
}

/** Runs the body of `step`; see the module header. */
export const runBody = async (
  run: RunContext,
  step: RunnerStep,
  scope: Scope,
  env: Record<string, string>,
  group: GroupState,
  variables: Vars,
  space: UnitSpace,
): Promise<Outcome> => {
  const where: Where = { scope, env, variables, space };
  const failBody = (message: string, skipped: RunnerStep[]): Outcome => {
    run.line(step.ref, `[assay] error: ${message}`);
    for (const child of skipped) run.skipTree(child, "the step failed before it");
    return { status: "failed", message };
  };
  const contentError = await run.fetchContent(step.ref, step, step.workingDir, space);
  if (contentError !== undefined) return failBody(contentError, step.steps);
  const parts = partsOf(step);
  const services = await startBodyServices(run, step, group, where);
  if (services !== undefined && !services.ok) {
    run.state.firstFailure ??= services.message;
    const failed = failBody(services.message, [...parts.setup, ...parts.rest, ...parts.workers]);
    await services.set?.stop();
    return failed;
  }
  let result: Outcome | undefined;
  try {
    const inner = services?.ok ? withServiceAddresses(variables, services.addresses) : variables;
    result = await runGroup(run, step, parts, group, { ...where, variables: inner });
    return result;
  } finally {
    // A service that exited on its own with an error fails its scope (Testkube does too).
    const serviceFailure = await services?.set?.stop();
    if (serviceFailure !== undefined && result !== undefined && result.status === "passed") {
      run.state.firstFailure ??= serviceFailure;
      run.line(step.ref, `[assay] error: ${serviceFailure}`);
      result.status = "failed";
      result.message = serviceFailure;
    }
  }
};

/** The step's services, their run-time fan-outs filled, started; undefined when it has none. */
const startBodyServices = async (
  run: RunContext,
  step: RunnerStep,
  group: GroupState,
  { scope, env, variables, space }: Where,
): Promise<ServicesStart | { ok: false; message: string; set?: undefined } | undefined> => {
  const filled = fillServiceSlots(
    step.steps.filter((s) => s.kind === "service"),
    { ...slotHooks(run, step, group, env, variables, space), emit: run.emit },
  );
  if (!filled.ok) return { ok: false, message: filled.error };
  if (filled.nodes.length === 0) return undefined;
  const hooks = {
    ctx: run.ctx,
    emit: run.emit,
    line: run.line,
    clock: run.clock,
    abortRequested: () => run.state.abortReason !== undefined,
    prepare: async (node: RunnerStep) => {
      const error = await run.fetchContent(node.ref, node, node.workingDir, space);
      // The planner gave the instance its own env (with only the owner's global variables).
      const request = error ?? run.prepare(node, node.env, node.variables ?? variables, space);
      // A service instance is a pod of its own in Testkube, whose one step has no id: it gets
      // an outputs path of its own that nothing creates or reads (step-outputs.ts).
      if (typeof request !== "string") request.outputsDir = unitOutputsDir(run.rootSpace.workspace, node.ref);
      return request;
    },
  };
  return startServices(hooks, filled.nodes, scope);
};

/** A step's children by role (its service nodes run apart, in startBodyServices). */
interface Parts {
  setup: RunnerStep[];
  workers: RunnerStep[];
  rest: RunnerStep[];
}

const partsOf = (step: RunnerStep): Parts => ({
  setup: step.steps.filter((s) => s.kind === undefined && s.phase === "setup"),
  workers: step.steps.filter((s) => s.kind === "worker"),
  rest: step.steps.filter((s) => s.kind === undefined && s.phase !== "setup"),
});

/** Setup children, the step's own work, its workers, its other children; the group's outcome. */
const runGroup = async (
  run: RunContext,
  step: RunnerStep,
  { setup, workers, rest }: Parts,
  group: GroupState,
  where: Where,
): Promise<Outcome> => {
  const { scope } = where;
  const children: GroupState = { failed: group.failed };
  const tally: Tally = { childFailed: false, childAborted: false };
  await runSequence(run, setup, children, where, tally);
  let own: Outcome | undefined;
  if (hasProcess(step) || step.execute !== undefined) {
    own =
      tally.childFailed || tally.childAborted || scope.ended() !== undefined
        ? {
            status: tally.childAborted ? "aborted" : scope.timedOut() ? "timeout" : "failed",
            message: "a setup step failed",
          }
        : await runOwn(run, step, scope, where.env, where.variables, where.space);
    if (own.status !== "passed") {
      for (const child of [...workers, ...rest]) run.skipTree(child, `parent step ${own.status}`);
      return own;
    }
  }
  if (workers.length > 0) {
    const ran = await runStepWorkers(run, step, workers, children, where);
    if (ran.failed) tally.childFailed = true;
    if (ran.aborted) tally.childAborted = true;
  }
  await runSequence(run, rest, children, where, tally);
  const outcome = groupOutcome({
    own,
    hasChildren: step.steps.length > 0,
    timedOut: scope.timedOut(),
    ...tally,
    abortReason: run.state.abortReason,
  });
  return step.steps.length === 0 ? outcome : { ...outcome, ...peaksOf(step, own, run.state.steps) };
};

/** Runs `list` one after another in `children`'s group, tallying what fails the group. */
const runSequence = async (
  run: RunContext,
  list: RunnerStep[],
  children: GroupState,
  { scope, env, variables, space }: Where,
  tally: Tally,
) => {
  for (const child of list) {
    const status: StepFinalStatus = await run.runStep(child, scope, children, env, variables, space);
    if (status === "aborted") tally.childAborted = true;
    if (failsGroup(status, child.optional)) tally.childFailed = true;
  }
};

/** What filling fan-out slots needs: fields evaluated where `step` runs, its log, skipping. */
const slotHooks = (
  run: RunContext,
  step: RunnerStep,
  group: GroupState,
  env: Record<string, string>,
  variables: Vars,
  space: UnitSpace,
) => {
  const files = run.filesOf(step, space);
  return {
    skipTree: run.skipTree,
    line: (text: string) => run.line(step.ref, text),
    read: (text: string) => {
      const value = evaluateRuntimeValue(bareExpression(text), run.scopeOf(group, env, variables, files));
      if (!value.ok) throw new Error(value.error);
      return value.value;
    },
  };
};

/** The workers of `step` (its run-time fan-out resolved first); marks `children` failed on a failure. */
const runStepWorkers = async (
  run: RunContext,
  step: RunnerStep,
  slots: RunnerStep[],
  children: GroupState,
  { scope, env, variables, space }: Where,
): Promise<{ failed: boolean; aborted: boolean }> => {
  const hooks = {
    ...slotHooks(run, step, children, env, variables, space),
    runWorker: (worker: RunnerStep, own: Scope) =>
      run.runStep(worker, own, { failed: children.failed }, {}, worker.variables, space),
  };
  const filled = fillSlots(step.parallel?.fanOut, slots, "parallel", hooks);
  const result = filled.ok ? await runWorkers(step, filled.workers, scope, hooks) : undefined;
  if (!filled.ok) {
    run.line(step.ref, `[assay] error: ${filled.error}`);
    run.state.firstFailure ??= `step "${step.name}" failed: ${filled.error}`;
  }
  const failed = result === undefined || result.failed;
  if (failed) children.failed = true;
  return { failed, aborted: result?.aborted === true };
};
