/**
 * Planning `parallel`: the block is fanned out (fanout.ts) into workers, each a node of kind
 * `worker` under the step (`r2.w1`, `r2.w2`) planned like a step of its own: the block's
 * `shell` / `run` is the worker's command, its `setup` runs first, its `steps` and `after`
 * follow, its `services` are the worker's services (`r2.w1.s1`). Each worker is planned with its
 * `index`, `count`, `matrix` and `shard` in scope, so `{{ matrix.browser }}` is folded into the
 * worker's commands here and the step tree shows the real values. Of the parent's environment
 * a worker sees only the `global: true` variables, as in Testkube. A fan-out that reads run-time
 * values (`shards: {files: 'glob("e2e/**")'}`, with `maxCount`) is planned as that many worker
 * slots without variables, and `parallel.fanOut` tells the runner to fill them (fanout.ts).
 */
import type { Step, StepParallel } from "../schema/steps.ts";
import type { ContainerState } from "./container.ts";
import type { PlanContext } from "./context.ts";
import { deferStrategy, describeInstance, expandStrategy } from "./fanout.ts";
import { resolveBoolean, resolveInteger, resolveTemplate } from "./resolve.ts";
import { isolatedDefaults, type PlanStepFn } from "./services.ts";
import type { PlannedFanOut, PlannedStep, PlannedTransfer } from "./types.ts";

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
  if (!context.containers) {
    for (const field of ["transfer", "fetch"] as const) {
      if (parallel[field] !== undefined) {
        planned.warnings.push(
          `parallel.${field} is not needed by the process runner: workers share the execution's workspace`,
        );
      }
    }
  }
  if (parallel.pod !== undefined || parallel.job !== undefined || parallel.pvcs !== undefined) {
    planned.warnings.push("parallel pod, job and pvcs settings are not used by the process runner");
  }
  const worker = workerStep(parallel);
  // A worker sees only the `global: true` variables of its parent's environment.
  const defaults = isolatedDefaults(inherited, context);
  const deferred = deferStrategy(parallel, context);
  if (deferred !== undefined && !deferred.ok) {
    context.refuse("parallel", at, `parallel: ${deferred.reason}`, ref);
    return [];
  }
  if (deferred !== undefined) {
    planned.parallel.fanOut = deferred.fanOut as PlannedFanOut;
    return Array.from({ length: deferred.slots }, (_, i) =>
      planWorker(
        parallel,
        worker,
        { ref: `${ref}.w${i + 1}`, parentRef: ref, at },
        defaults,
        context,
        planStep,
      ),
    );
  }
  const fanOut = expandStrategy(parallel, context);
  if (!fanOut.ok) {
    context.refuse("parallel", at, `parallel: ${fanOut.reason}`, ref);
    return [];
  }
  return fanOut.instances.map((variables, i) => {
    const node = planStep(
      worker,
      { ref: `${ref}.w${i + 1}`, path: at, phase: "steps", parentRef: ref },
      defaults,
      context.withScope(variables),
    );
    node.kind = "worker";
    node.variables = variables;
    const scoped = context.withScope(variables);
    // A container runtime gives each worker volumes of its own: files travel as the document says.
    if (context.containers) {
      const transfer = planTransfers(parallel.transfer, `${at}.transfer`, node.ref, scoped);
      const fetch = planTransfers(parallel.fetch, `${at}.fetch`, node.ref, scoped);
      if (transfer.length > 0) node.transfer = transfer;
      if (fetch.length > 0) node.fetch = fetch;
    }
    node.name =
      parallel.description === undefined
        ? `worker ${describeInstance(variables)}`
        : scoped.text(parallel.description, `${at}.description`, node.ref);
    return node;
  });
};

/**
 * A worker slot of a fan-out resolved at run time: planned without its variables (the runner
 * renders `{{ index }}`, `{{ shard.x }}` when it gives the slot its instance).
 */
const planWorker = (
  parallel: StepParallel,
  worker: Step,
  slot: { ref: string; parentRef: string; at: string },
  defaults: ContainerState,
  context: PlanContext,
  planStep: PlanStepFn,
): PlannedStep => {
  const node = planStep(
    worker,
    { ref: slot.ref, path: slot.at, phase: "steps", parentRef: slot.parentRef },
    defaults,
    context,
  );
  node.kind = "worker";
  if (context.containers) {
    const transfer = planTransfers(parallel.transfer, `${slot.at}.transfer`, node.ref, context);
    const fetch = planTransfers(parallel.fetch, `${slot.at}.fetch`, node.ref, context);
    if (transfer.length > 0) node.transfer = transfer;
    if (fetch.length > 0) node.fetch = fetch;
  }
  const n = slot.ref.slice(slot.ref.lastIndexOf(".w") + 2);
  node.name = `worker ${n}`;
  if (parallel.description !== undefined) {
    const named = resolveTemplate(parallel.description, context);
    if (named.ok) node.name = named.value;
  }
  return node;
};

/** `transfer` / `fetch` entries of one worker, resolved in its scope. */
const planTransfers = (
  entries: StepParallel["transfer"] | StepParallel["fetch"],
  at: string,
  ref: string,
  context: PlanContext,
): PlannedTransfer[] =>
  (entries ?? []).map((entry, i) => {
    const path = `${at}[${i}]`;
    const from = context.text(entry.from, `${path}.from`, ref);
    const to = entry.to === undefined ? from : context.text(entry.to, `${path}.to`, ref);
    let files = ["**/*"];
    if (Array.isArray(entry.files))
      files = entry.files.map((f, k) => context.text(String(f), `${path}.files[${k}]`, ref));
    else if (entry.files !== undefined)
      context.refuse("expressions", `${path}.files`, "files must be a list of glob patterns", ref);
    const out: PlannedTransfer = { from, to, files };
    const mount = "mount" in entry ? (entry.mount as boolean | string | undefined) : undefined;
    if (mount !== undefined) {
      const resolved = resolveBoolean(mount, context);
      if (resolved.ok) out.mount = resolved.value;
      else context.refuse("expressions", `${path}.mount`, `mount: ${resolved.reason}`, ref);
    }
    return out;
  });

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
