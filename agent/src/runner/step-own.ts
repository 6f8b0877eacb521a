/**
 * A step's own work, inside its body: its process (shell, command or a container's
 * entrypoint), then its `execute` (child executions, execute-step.ts). A process ends as
 * outcome-rules.ts says for its unit's exit.
 */
import { runExecute } from "./execute-step.ts";
import { exitOutcome, type Outcome } from "./outcome-rules.ts";
import { startProcess } from "./process-run.ts";
import type { RunContext, Vars } from "./run-state.ts";
import { renderRuntimeText } from "./runtime-expressions.ts";
import type { UnitSpace } from "./runtimes/runtime.ts";
import type { Scope } from "./scope.ts";
import { collectStepOutputs, prepareStepOutputs } from "./step-outputs.ts";
import type { RunnerStep } from "./types.ts";

/** Whether `step` has a process of its own (a step with neither shell nor command runs its image's entrypoint). */
export const hasProcess = (step: RunnerStep): boolean =>
  step.shell !== undefined || step.command !== undefined || step.container?.entrypoint === true;

/** The outcome of a step whose scope ended (timeout, or a fail-fast cancel). */
export const endedOutcome = (scope: Scope, when: string): Outcome => {
  const end = scope.ended();
  if (end?.kind === "cancelled") return { status: "aborted", message: `cancelled: ${end.reason}` };
  return { status: "timeout", message: when ? `timed out ${when}` : "timed out" };
};

/** Stores what a step with an id wrote to its pod's `/testkube/outputs` for the steps after it. */
const keepOutputs = async (run: RunContext, step: RunnerStep, space: UnitSpace, id: string | undefined) => {
  const pod = space.outputs;
  if (id === undefined || pod === undefined) return;
  const { outputs, warnings } = await collectStepOutputs(pod.dir);
  for (const warning of warnings) run.line(step.ref, `[assay] warning: ${warning}`);
  pod.values.set(id, outputs);
};

const runProcess = async (
  run: RunContext,
  step: RunnerStep,
  scope: Scope,
  env: Record<string, string>,
  variables: Vars,
  space: UnitSpace,
): Promise<Outcome> => {
  const { state } = run;
  if (scope.ended() !== undefined) return endedOutcome(scope, "before it started");
  const request = run.prepare(step, env, variables, space);
  if (typeof request === "string") {
    run.line(step.ref, `[assay] error: ${request}`);
    return { status: "failed", message: request };
  }
  const abortNow = state.abortReason !== undefined && step.condition !== "always";
  const id =
    space.outputs === undefined ? undefined : await prepareStepOutputs(step, space.outputs, space.workspace);
  // The scope may have ended while the directories were made (a timeout, the initialization's).
  if (scope.ended() !== undefined) return endedOutcome(scope, "before it started");
  const proc = await startProcess(run.ctx, request, scope, abortNow);
  const exit = await proc.finished;
  await keepOutputs(run, step, space, id);
  const outcome = exitOutcome(exit, endedOutcome(scope, ""), state.abortReason);
  if (exit.startError !== undefined || exit.reason !== undefined)
    run.line(step.ref, `[assay] error: ${outcome.message}`);
  if (exit.startError !== undefined) return outcome;
  return { ...outcome, cpuPeakPercent: exit.cpuPeakPercent, memoryPeakBytes: exit.memoryPeakBytes };
};

/** The step's own work: its process, then (when that passed) its `execute`. */
export const runOwn = async (
  run: RunContext,
  step: RunnerStep,
  scope: Scope,
  env: Record<string, string>,
  variables: Vars,
  space: UnitSpace,
): Promise<Outcome> => {
  const { state } = run;
  const own = hasProcess(step)
    ? await runProcess(run, step, scope, env, variables, space)
    : { status: "passed" as const };
  if (step.execute === undefined || own.status !== "passed") return own;
  // Starting child executions is this step's work: the run's initialization is over.
  run.ctx.started();
  return runExecute(step, {
    children: run.options.children,
    line: (text) => run.line(step.ref, text),
    sleep: run.sleep,
    stopped: () => {
      if (state.abortReason !== undefined)
        return { status: "aborted" as const, reason: `aborted: ${state.abortReason}` };
      const end = scope.ended();
      if (end === undefined) return undefined;
      return end.kind === "timeout"
        ? { status: "timeout" as const, reason: "timed out" }
        : { status: "aborted" as const, reason: `cancelled: ${end.reason}` };
    },
    render: (text) => {
      const failed = { failed: state.failedBefore.get(step.ref) ?? false };
      return renderRuntimeText(text, run.scopeOf(failed, env, variables, run.filesOf(step, space)));
    },
    setWaiting: (waiting) => {
      state.waitingSteps += waiting ? 1 : -1;
    },
  });
};
