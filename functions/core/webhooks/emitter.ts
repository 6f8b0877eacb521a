/**
 * The one hook between the execution lifecycle and webhooks: a lifecycle observer
 * (lifecycle/transitions.ts, effect `observe`) that, after a stored execution is created
 * (queued), started or ended, enqueues a `webhook-events` job. The job (dispatch.ts) does the
 * rest in a worker, so a run never waits for a receiver: the only cost on the run's path is
 * one queue send, and a failed send is logged, never thrown.
 *
 * An environment without an enabled webhook gets no job at all: whether it has one is read
 * through a short cache (`hasListeners`, wired by createCore) that this process's webhook writes
 * clear at once, so a webhook created through another process hears the runs that change status
 * at most the cache's lifetime (5 s) later.
 */
import type { Execution } from "@assay/shared";
import type { LifecycleObserver, ObservedEvent } from "../lifecycle/lifecycle.ts";
import type { EnvRef } from "../ports/refs.ts";
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
  (deps: {
    jobs: JobQueue;
    logger: Logger;
    /** Whether the environment has an enabled webhook (a failed read counts as yes). */
    hasListeners: (env: EnvRef) => Promise<boolean>;
  }): LifecycleObserver =>
  async (event, execution) => {
    const phase = PHASES[event];
    if (!phase) return;
    const listened = await deps.hasListeners(execution).catch(() => true);
    if (listened) await emitExecutionEvent(deps, execution, phase);
  };
