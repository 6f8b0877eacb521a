/**
 * Parallel workers of a step: up to `parallelism` at once, each in its own child scope and
 * with its own group state (one worker's failure does not skip another's steps). With
 * `failFast` the first failure cancels the running workers (their steps end `aborted`) and the
 * ones not started are skipped.
 *
 * A fan-out that reads run-time values (`parallel.fanOut`: shards from `glob()`) is resolved
 * when the step is reached, with the shared expansion (Testkube's split): the planner made one
 * worker slot per possible worker, the first ones get the instances' `index`, `count`, `matrix`
 * and `shard`, and the slots left over are skipped saying so.
 */
import { describeInstance, expandWith, type PlannedFanOut, type Value } from "@assay/shared/workflow";
import { failsWorkers } from "./outcome-rules.ts";
import type { Scope } from "./scope.ts";
import type { RunnerStep, StepEvent, StepFinalStatus } from "./types.ts";

export interface WorkerHooks {
  /** Runs one worker in its own scope; resolves with its final status. */
  runWorker(worker: RunnerStep, scope: Scope): Promise<StepFinalStatus>;
  skipTree(step: RunnerStep, message: string): void;
  /** Evaluates a fan-out field the planner left (`glob("e2e/*")`) where the step runs; throws why not. */
  read(expression: string): Value;
  /** Writes a line to the step's log. */
  line(text: string): void;
}

/**
 * The workers (or service instances) to run: the slots of a run-time fan-out filled, or why it
 * could not be resolved (`label` starts the message: `parallel`, `service db`).
 */
export const fillSlots = (
  fanOut: PlannedFanOut | undefined,
  slots: RunnerStep[],
  label: string,
  hooks: Pick<WorkerHooks, "read" | "line" | "skipTree">,
): { ok: true; workers: RunnerStep[] } | { ok: false; error: string } => {
  if (fanOut === undefined) return { ok: true, workers: slots };
  const expanded = expandWith(fanOut, hooks.read);
  const error = !expanded.ok
    ? `${label}: ${expanded.reason}`
    : expanded.instances.length > slots.length
      ? `${label}: the fan-out gives ${expanded.instances.length} instances, more than the ${slots.length} planned when the run started`
      : undefined;
  if (error !== undefined || !expanded.ok) {
    for (const slot of slots) hooks.skipTree(slot, "the fan-out could not be resolved");
    return { ok: false, error: error ?? "" };
  }
  const lists = Object.keys({ ...fanOut.shards, ...fanOut.matrix });
  hooks.line(
    `[assay] ${label}: ${expanded.instances.length} of ${slots.length} instances, resolved now${lists.length > 0 ? ` from ${lists.join(", ")}` : ""}`,
  );
  const workers = expanded.instances.map((variables, i) => {
    const slot = slots[i] as RunnerStep;
    hooks.line(`[assay] ${slot.name}: ${describeInstance(variables)}`);
    return { ...slot, variables };
  });
  for (const slot of slots.slice(workers.length)) {
    hooks.skipTree(
      slot,
      `not needed: the fan-out gave ${workers.length} of at most ${slots.length} instances`,
    );
  }
  return { ok: true, workers };
};

/**
 * Service nodes with their run-time fan-outs filled (a group left without instances is skipped),
 * or why one could not be resolved (its group is failed).
 */
export const fillServiceSlots = (
  nodes: RunnerStep[],
  hooks: Pick<WorkerHooks, "read" | "line" | "skipTree"> & { emit(event: StepEvent): void },
): { ok: true; nodes: RunnerStep[] } | { ok: false; error: string } => {
  const out: RunnerStep[] = [];
  for (const node of nodes) {
    const fanOut = node.service?.fanOut;
    if (fanOut === undefined) {
      out.push(node);
      continue;
    }
    const filled = fillSlots(fanOut, node.steps, `service ${node.service?.name ?? node.name}`, hooks);
    if (!filled.ok) {
      hooks.emit({ ref: node.ref, status: "failed", message: filled.error });
      return filled;
    }
    if (filled.workers.length > 0) out.push({ ...node, steps: filled.workers });
    else hooks.emit({ ref: node.ref, status: "skipped", message: "the fan-out gave no instances" });
  }
  return { ok: true, nodes: out };
};

/** Runs the workers of `step`; says whether any failed, or (only) was aborted. */
export const runWorkers = async (
  step: RunnerStep,
  workers: RunnerStep[],
  scope: Scope,
  hooks: WorkerHooks,
): Promise<{ failed: boolean; aborted: boolean }> => {
  const limit = Math.max(1, step.parallel?.parallelism ?? workers.length);
  const failFast = step.parallel?.failFast === true;
  const queue = [...workers];
  const live = new Set<Scope>();
  let failed = false;
  let aborted = false;
  const lane = async () => {
    for (let worker = queue.shift(); worker !== undefined; worker = queue.shift()) {
      if (failFast && failed) {
        hooks.skipTree(worker, "another worker failed (failFast)");
        continue;
      }
      const own = scope.child();
      live.add(own);
      const status = await hooks.runWorker(worker, own);
      live.delete(own);
      own.close();
      if (status === "aborted") aborted = true;
      if (failsWorkers(status, worker.optional)) {
        failed = true;
        if (failFast) for (const other of live) other.cancel(`worker "${worker.name}" failed (failFast)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, workers.length) }, lane));
  return { failed, aborted: aborted && !failed };
};
