/**
 * Why a queued execution waits, when the control plane can tell: no agent is online in its
 * environment ("waiting for an agent: none online in <env>"), none of the online agents matches
 * the run's `target`, or the run needs a container runtime none of them has
 * (runtime-placement.ts). The reason is computed when an execution is read, never stored.
 *
 * `createExecutionViews` is how a principal reads executions with their reasons: the execution
 * service authorizes the call and reads (or starts) the executions, and only then is the
 * environment's presence read, once per answer and only when something is queued.
 */
import { type ExecutionView, noAgentOnline, type Page } from "@assay/shared";
import { agentLabels, describeTarget, matchesTarget, runtimeFromCapabilities } from "@assay/shared/workflow";
import type { Principal } from "./access.ts";
import type { ExecutionService } from "./executions.ts";
import { type EnvRef, type ExecutionRef, envRefOf } from "./ports/refs.ts";
import type { AgentPresenceStore, Clock } from "./ports.ts";
import { isOnline } from "./presence-rule.ts";

/** What the waiting rule knows of an online agent. */
export interface OnlineAgent {
  /** Its labels, its id under the name label included (what targets match). */
  labels: Record<string, string>;
  /** Whether its runtime runs container images. */
  containers: boolean;
}

/**
 * Why `view` waits, given the online agents of its environment `envId`; undefined when it is not
 * queued or no reason is known. A target none of the agents matches is named before a container
 * runtime none of them has.
 */
export function waitingReason(
  view: Pick<ExecutionView, "status" | "target" | "runtimeNeed">,
  envId: string,
  agents: readonly OnlineAgent[],
): string | undefined {
  if (view.status !== "queued") return undefined;
  if (agents.length === 0) return noAgentOnline(envId);
  const n = agents.length;
  const online = `${n} online agent${n === 1 ? "" : "s"} in ${envId}`;
  const { target, runtimeNeed } = view;
  if (target !== undefined && !agents.some((a) => matchesTarget(target, a.labels))) {
    return `waiting for an agent matching ${describeTarget(target)}: none of the ${online} matches`;
  }
  if (runtimeNeed?.containers === "required" && !agents.some((a) => a.containers)) {
    return `waiting for an agent with a container runtime (docker): ${runtimeNeed.reason}; none of the ${online} has one`;
  }
  return undefined;
}

type Executions = Pick<ExecutionService, "get" | "list" | "start" | "rerun">;

export function createExecutionViews(deps: {
  executions: Executions;
  presence: Pick<AgentPresenceStore, "list">;
  clock: Clock;
}) {
  const { executions } = deps;

  async function onlineAgents(env: EnvRef): Promise<OnlineAgent[]> {
    const now = deps.clock.now();
    return (await deps.presence.list(envRefOf(env)))
      .filter((p) => isOnline(p, now))
      .map((p) => ({
        labels: agentLabels(p.agentId, p.capabilities),
        containers: runtimeFromCapabilities(p.capabilities).containers === true,
      }));
  }

  /** The views with the reasons their queued ones wait (views of one environment, read already). */
  async function explained(env: EnvRef, views: ExecutionView[]): Promise<ExecutionView[]> {
    if (!views.some((v) => v.status === "queued")) return views;
    const agents = await onlineAgents(env);
    return views.map((view) => {
      const waiting = waitingReason(view, env.envId, agents);
      return waiting === undefined ? view : { ...view, waiting };
    });
  }

  const one = async (env: EnvRef, view: ExecutionView): Promise<ExecutionView> =>
    (await explained(env, [view]))[0] ?? view;

  return {
    async get(principal: Principal, ref: ExecutionRef): Promise<ExecutionView> {
      return one(ref, await executions.get(principal, ref));
    },

    /** A page of the environment's executions (`read`), as the execution service lists them. */
    async list(...query: Parameters<Executions["list"]>): Promise<Page<ExecutionView>> {
      const found = await executions.list(...query);
      return { ...found, items: await explained(query[1], found.items) };
    },

    /** Starts a run (`run`), as the execution service does. */
    async start(...run: Parameters<Executions["start"]>): Promise<ExecutionView> {
      return one(run[1], await executions.start(...run));
    },

    async rerun(principal: Principal, ref: ExecutionRef): Promise<ExecutionView> {
      return one(ref, await executions.rerun(principal, ref));
    },
  };
}

export type ExecutionViews = ReturnType<typeof createExecutionViews>;
