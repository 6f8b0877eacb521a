/**
 * `spec.execution.target.replicate` (Testkube's replicated runs): the run is started once per
 * group of matching online agents that share the values of the `replicate` label keys, each
 * execution pinned to its group, so `replicate: [region]` runs once per region and
 * `replicate: [name]` once per agent (`name` is the agent itself, pinned by its id). An agent
 * that lacks one of the keys is in no group. The replicas are linked by `replicaGroup` (the
 * first one's id) and the tag `assay.io/replicas=<id>`.
 */
import type { AgentPresence, Execution } from "@assay/shared";
import { AGENT_LABEL, type AgentTarget, agentLabels, matchesTarget } from "@assay/shared/workflow";
import { type EnvRef, envRefOf } from "./ports/refs.ts";
import type { AgentPresenceStore } from "./ports.ts";
import { isOnline } from "./presence-rule.ts";

/** One replica: its pinned target and the label values it stands for (for messages). */
export interface Replica {
  target: NonNullable<Execution["target"]>;
  labels: Record<string, string>;
}

/** The online agents of an environment, as label maps (their ids under AGENT_LABEL). */
export type OnlineAgents = (env: EnvRef) => Promise<Array<Record<string, string>>>;

export const onlineAgentsOf =
  (presence: Pick<AgentPresenceStore, "list">, now: () => number): OnlineAgents =>
  async (env) =>
    (await presence.list(envRefOf(env)))
      .filter((p: AgentPresence) => isOnline(p, now()))
      .map((p) => agentLabels(p.agentId, p.capabilities));

/** One replica per distinct value combination of `keys` among the agents matching `base`. */
export const replicaTargets = (
  base: AgentTarget | undefined,
  keys: readonly string[],
  agents: ReadonlyArray<Record<string, string>>,
): Replica[] => {
  const groups = new Map<string, Replica>();
  for (const labels of agents) {
    if (!matchesTarget(base, labels)) continue;
    const pins = keys.map((key): [string, string | undefined] => {
      const label = key === "name" ? AGENT_LABEL : key;
      return [label, labels[label]];
    });
    if (pins.some(([, value]) => value === undefined)) continue;
    const pinned = Object.fromEntries(pins) as Record<string, string>;
    const id = JSON.stringify(pins);
    if (groups.has(id)) continue;
    const match = { ...base?.match, ...Object.fromEntries(pins.map(([k, v]) => [k, [v as string]])) };
    groups.set(id, { target: base?.not ? { match, not: base.not } : { match }, labels: pinned });
  }
  return [...groups.values()].sort((a, b) =>
    JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
  );
};
