/**
 * Queued executions say why they wait when the environment has no online agent ("waiting for
 * an agent: none online in <env>"), or when none of the online agents matches the run's
 * `target`, or when the run needs a container runtime none of them has (runtime-placement.ts):
 * one presence read per answer, only when something is queued.
 */
import type { ExecutionView } from "@assay/shared";
import { describeTarget, matchesTarget } from "@assay/shared/workflow";
import type { EnvRef } from "../../core/ports/refs.ts";
import type { ApiDeps } from "../context.ts";

export async function withWaiting<T extends ExecutionView>(
  deps: ApiDeps,
  env: EnvRef,
  executions: T[],
): Promise<T[]> {
  if (!executions.some((e) => e.status === "queued")) return executions;
  const waiting = await deps.tenancy.environments.waitingReason(env);
  if (waiting) return executions.map((e) => (e.status === "queued" ? { ...e, waiting } : e));
  const needsContainers = (e: T) => e.status === "queued" && e.runtimeNeed?.containers === "required";
  if (executions.some(needsContainers)) {
    const runtimes = await deps.tenancy.environments.onlineAgentRuntimes(env);
    if (!runtimes.some((r) => r.containers === true)) {
      const n = runtimes.length;
      executions = executions.map((e) =>
        needsContainers(e)
          ? {
              ...e,
              waiting: `waiting for an agent with a container runtime (docker): ${e.runtimeNeed?.reason}; none of the ${n} online agent${n === 1 ? "" : "s"} in ${env.envId} has one`,
            }
          : e,
      );
    }
  }
  if (!executions.some((e) => e.status === "queued" && e.target !== undefined)) return executions;
  const agents = await deps.tenancy.environments.onlineAgentLabels(env);
  return executions.map((e) => {
    if (e.status !== "queued" || e.target === undefined) return e;
    if (agents.some((labels) => matchesTarget(e.target, labels))) return e;
    const n = agents.length;
    return {
      ...e,
      waiting: `waiting for an agent matching ${describeTarget(e.target)}: none of the ${n} online agent${n === 1 ? "" : "s"} in ${env.envId} matches`,
    };
  });
}
