/**
 * The hook between the execution lifecycle and insights: a lifecycle observer that, when a
 * transition leaves an execution in a final status, enqueues one `insights` job (its id is the
 * execution's, so a repeat is deduplicated by the job's idempotency). The run never waits on
 * insights: enqueue failures are logged, never thrown.
 */
import { isTerminal } from "@assay/shared";
import type { LifecycleObserver } from "../lifecycle/lifecycle.ts";
import type { Insights } from "./service.ts";

export const insightsObserver =
  (insights: Pick<Insights, "enqueue">): LifecycleObserver =>
  async (_event, execution) => {
    if (!isTerminal(execution.status)) return;
    const { orgId, envId, id } = execution;
    await insights.enqueue({ orgId, envId, id }, "run");
  };
