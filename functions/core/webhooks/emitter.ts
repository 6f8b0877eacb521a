/**
 * The one hook between the execution lifecycle and webhooks: a lifecycle observer
 * (lifecycle/transitions.ts, effect `observe`) that, after a stored execution is created
 * (queued), started or ended, enqueues a `webhook-events` job. The job (dispatch.ts) does the
 * rest in a worker, so a run never waits for a receiver: the only cost on the run's path is
 * one queue send, and a failed send is logged, never thrown.
 */
import type { Execution } from "@assay/shared";
import type { LifecycleObserver, ObservedEvent } from "../lifecycle/lifecycle.ts";
import type { JobQueue, Logger } from "../ports.ts";

export type LifecyclePhase = "queued" | "started" | "finished";

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

/** The lifecycle events that are webhook phases (claims and requeues are not). */
const PHASES: Partial<Record<ObservedEvent, LifecyclePhase>> = {
  create: "queued",
  start: "started",
  finish: "finished",
  lose: "finished",
  terminate: "finished",
  cancel: "finished",
};

/** The lifecycle observer that enqueues webhook events (wired by createCore). */
export const webhookObserver =
  (deps: { jobs: JobQueue; logger: Logger }): LifecycleObserver =>
  async (event, execution) => {
    const phase = PHASES[event];
    if (phase) await emitExecutionEvent(deps, execution, phase);
  };
