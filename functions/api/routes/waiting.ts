/**
 * Queued executions say why they wait when the environment has no online agent ("waiting for
 * an agent: none online in <env>"): one presence read per answer, only when something is queued.
 */
import type { ExecutionView } from "@assay/shared";
import type { ApiDeps } from "../context.ts";

export async function withWaiting<T extends ExecutionView>(
  deps: ApiDeps,
  orgId: string,
  envId: string,
  executions: T[],
): Promise<T[]> {
  if (!executions.some((e) => e.status === "queued")) return executions;
  const waiting = await deps.tenancy.environments.waitingReason(orgId, envId);
  if (!waiting) return executions;
  return executions.map((e) => (e.status === "queued" ? { ...e, waiting } : e));
}
