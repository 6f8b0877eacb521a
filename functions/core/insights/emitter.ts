/**
 * The hook between the execution lifecycle and insights: after a transition stores a final
 * status, one `insights` job is enqueued (its id is the execution's, so a repeat is deduplicated
 * by the job's idempotency). The run never waits on insights: a failed send is logged.
 */
import { isTerminal } from "@assay/shared";
import type { ExecutionStore } from "../ports.ts";
import type { Insights } from "./service.ts";

export function withInsightEvents(
  store: ExecutionStore,
  insights: Pick<Insights, "enqueue">,
): ExecutionStore {
  return {
    ...store,
    async transition(orgId, envId, id, t) {
      const result = await store.transition(orgId, envId, id, t);
      if (result && t.set.status !== undefined && isTerminal(result.status)) {
        await insights.enqueue({ orgId, envId, id }, "run");
      }
      return result;
    },
  };
}
