/**
 * Planning `parallel`: the block is fanned out (fanout.ts) into workers, each a node of kind
 * `worker` under the step (`r2.w1`, `r2.w2`) planned like a step of its own: the block's
 * `shell` / `run` is the worker's command, its `setup` runs first, its `steps` and `after`
 * follow, its `services` are the worker's services (`r2.w1.s1`). Each worker is planned with its
 * `index`, `count`, `matrix` and `shard` in scope, so `{{ matrix.browser }}` is folded into the
 * worker's commands here and the step tree shows the real values.
 */
import type { Step, StepParallel } from "../schema/steps.ts";
import type { ContainerState } from "./container.ts";
import type { PlanContext } from "./context.ts";
import { describeInstance, expandStrategy } from "./fanout.ts";
import { resolveBoolean, resolveInteger } from "./resolve.ts";
import type { PlanStepFn } from "./services.ts";
import type { PlannedStep } from "./types.ts";

/** Plans `parallel` of the step `planned` (at `path`); returns its worker nodes. */
export const planParallel = (
  parallel: StepParallel,
  planned: PlannedStep,
  path: string,
  inherited: ContainerState,
  context: PlanContext,
  planStep: PlanStepFn,
): PlannedStep[] => {
  const { ref } = planned;
  const at = `${path}.parallel`;
  context.require("parallel", at, "parallel is not supported by this agent", ref);
  planned.parallel = { failFast: false };
  if (parallel.parallelism !== undefined) {
    const n = resolveInteger(parallel.parallelism, context);
    if (n.ok && n.value > 0) planned.parallel.parallelism = n.value;
    else if (!n.ok) context.refuse("expressions", `${at}.parallelism`, `parallelism: ${n.reason}`, ref);
  }
  if (parallel.failFast !== undefined) {
    const b = resolveBoolean(parallel.failFast, context);
    if (b.ok) planned.parallel.failFast = b.value;
    else context.refuse("expressions", `${at}.failFast`, `failFast: ${b.reason}`, ref);
  }
  for (const field of ["transfer", "fetch"] as const) {
    if (parallel[field] !== undefined) {
      planned.warnings.push(
        `parallel.${field} is not needed by the process runner: workers share the execution's workspace`,
      );
    }
  }
  if (parallel.pod !== undefined || parallel.job !== undefined || parallel.pvcs !== undefined) {
    planned.warnings.push("parallel pod, job and pvcs settings are not used by the process runner");
  }
  const fanOut = expandStrategy(parallel, context);
  if (!fanOut.ok) {
    context.refuse("parallel", at, `parallel: ${fanOut.reason}`, ref);
    return [];
  }
  const worker = workerStep(parallel);
  return fanOut.instances.map((variables, i) => {
    const node = planStep(
      worker,
      { ref: `${ref}.w${i + 1}`, path: at, phase: "steps", parentRef: ref },
      inherited,
      context.withScope(variables),
    );
    node.kind = "worker";
    node.variables = variables;
    const scoped = context.withScope(variables);
    node.name =
      parallel.description === undefined
        ? `worker ${describeInstance(variables)}`
        : scoped.text(parallel.description, `${at}.description`, node.ref);
    return node;
  });
};

/** The step each worker runs: the block minus its fan-out and Kubernetes fields. */
const workerStep = (parallel: StepParallel): Step => {
  const step: Step = {};
  const keys = [
    "container",
    "content",
    "shell",
    "run",
    "services",
    "timeout",
    "retry",
    "optional",
    "negative",
    "paused",
    "delay",
    "artifacts",
    "cache",
    "execute",
    "use",
    "template",
  ] as const;
  for (const key of keys) {
    if (parallel[key] !== undefined) Object.assign(step, { [key]: parallel[key] });
  }
  if (parallel.setup !== undefined) step.setup = parallel.setup;
  const steps = [...(parallel.steps ?? []), ...(parallel.after ?? [])];
  if (steps.length > 0) step.steps = steps;
  return step;
};
