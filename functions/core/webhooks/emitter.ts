/**
 * The one hook between the execution lifecycle and webhooks: an ExecutionStore decorator that,
 * after a stored execution is created (queued) or a transition changes its status to running
 * or to a terminal status, enqueues a `webhook-events` job. The job (dispatch.ts) does the
 * rest in a worker, so a run never waits for a receiver: the only cost on the run's path is
 * one queue send, and a failed send is logged, never thrown.
 */
import { type Execution, isTerminal } from "@assay/shared";
import type { ExecutionStore, JobQueue, Logger } from "../ports.ts";

export type LifecyclePhase = "queued" | "started" | "finished";

const phaseOf = (e: Execution): LifecyclePhase | undefined =>
  e.status === "running" ? "started" : isTerminal(e.status) ? "finished" : undefined;

/** Enqueues the lifecycle event of an execution (idempotent per execution and phase). */
export const emitExecutionEvent = async (
  deps: { jobs: JobQueue; logger: Logger },
  execution: Execution,
  phase: LifecyclePhase,
): Promise<void> => {
  const { orgId, envId, id } = execution;
  await deps.jobs
    .send({ kind: "webhook-events", id: `${id}.${phase}`, payload: { orgId, envId, executionId: id, phase } })
    .catch((error: unknown) => {
      deps.logger.warn({ executionId: id, phase, err: String(error) }, "webhook event not enqueued");
    });
};

export function withWebhookEvents(
  store: ExecutionStore,
  deps: { jobs: JobQueue; logger: Logger },
): ExecutionStore {
  return {
    ...store,
    async create(execution) {
      await store.create(execution);
      await emitExecutionEvent(deps, execution, "queued");
    },
    async transition(orgId, envId, id, t) {
      const result = await store.transition(orgId, envId, id, t);
      const phase = result && t.set.status !== undefined ? phaseOf(result) : undefined;
      if (result && phase) await emitExecutionEvent(deps, result, phase);
      return result;
    },
  };
}
