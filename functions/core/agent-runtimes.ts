/**
 * The runtimes an environment's agents have, from the capabilities in their hellos (recorded
 * with their presence): what `apply` checks a workflow against. With no agent recorded yet, the
 * default runtime is assumed, with no agents.
 */

import { createTtlCache } from "@assay/shared";
import {
  type CheckedRuntime,
  DEFAULT_RUNTIME,
  RUNTIME_FEATURES,
  runtimeFromCapabilities,
} from "@assay/shared/workflow";
import type { EnvRef } from "./ports/refs.ts";
import type { AgentPresenceStore, Clock } from "./ports.ts";
import { isOnline } from "./presence-rule.ts";

/** The environment's runtimes, each with its agent count, in a stable order. */
export const createAgentRuntimes =
  (presence: Pick<AgentPresenceStore, "list">) =>
  async ({ orgId, envId }: EnvRef): Promise<CheckedRuntime[]> => {
    const byRuntime = new Map<string, CheckedRuntime>();
    for (const agent of await presence.list({ orgId, envId })) {
      const found = runtimeFromCapabilities(agent.capabilities);
      const key = `${found.runtime}\u0000${[...found.features].sort().join(",")}`;
      byRuntime.set(key, { ...found, agents: (byRuntime.get(key)?.agents ?? 0) + 1 });
    }
    if (byRuntime.size === 0)
      return [{ runtime: DEFAULT_RUNTIME, features: RUNTIME_FEATURES[DEFAULT_RUNTIME] ?? [], agents: 0 }];
    return [...byRuntime.values()].sort((a, b) => a.runtime.localeCompare(b.runtime));
  };

export type AgentRuntimes = ReturnType<typeof createAgentRuntimes>;

/**
 * Whether an agent whose runtime runs container images is online in the environment: what a
 * process agent asks before it takes a run that names images (runtime-placement.ts). One
 * presence read per environment every `ttlMs`, shared by the process's agent links.
 */
export function createContainerAgentsOnline(deps: {
  presence: Pick<AgentPresenceStore, "list">;
  clock: Clock;
  ttlMs?: number;
}) {
  const answers = createTtlCache<string, Promise<boolean>>({ clock: deps.clock, ttlMs: deps.ttlMs ?? 2_000 });
  return ({ orgId, envId }: EnvRef): Promise<boolean> => {
    const key = `${orgId}.${envId}`;
    const known = answers.get(key);
    if (known) return known;
    const now = deps.clock.now();
    const answer = deps.presence
      .list({ orgId, envId })
      .then((agents) =>
        agents.some((a) => isOnline(a, now) && runtimeFromCapabilities(a.capabilities).containers === true),
      )
      // A failed read takes none for online: the run is not left waiting on a guess.
      .catch(() => false);
    answers.set(key, answer);
    return answer;
  };
}

export type ContainerAgentsOnline = ReturnType<typeof createContainerAgentsOnline>;
