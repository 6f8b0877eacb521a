/**
 * Parallel workers of a step: up to `parallelism` at once, each in its own child scope and
 * with its own group state (one worker's failure does not skip another's steps). With
 * `failFast` the first failure cancels the running workers (their steps end `aborted`) and the
 * ones not started are skipped.
 */
import { failsWorkers } from "./outcome-rules.ts";
import type { Scope } from "./scope.ts";
import type { RunnerStep, StepFinalStatus } from "./types.ts";

export interface WorkerHooks {
  /** Runs one worker in its own scope; resolves with its final status. */
  runWorker(worker: RunnerStep, scope: Scope): Promise<StepFinalStatus>;
  skipTree(step: RunnerStep, message: string): void;
}

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
