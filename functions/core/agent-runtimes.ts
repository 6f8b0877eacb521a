/**
 * The runtimes an environment's agents have, from the capabilities in their hellos (recorded
 * with their presence): what `apply` checks a workflow against. With no agent recorded yet, the
 * default runtime is assumed, with no agents.
 */
import {
  type CheckedRuntime,
  DEFAULT_RUNTIME,
  RUNTIME_FEATURES,
  runtimeFromCapabilities,
} from "@assay/shared/workflow";
import type { AgentPresenceStore } from "./ports.ts";

/** The environment's runtimes, each with its agent count, in a stable order. */
export const createAgentRuntimes =
  (presence: Pick<AgentPresenceStore, "list">) =>
  async (orgId: string, envId: string): Promise<CheckedRuntime[]> => {
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
