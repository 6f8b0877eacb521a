/**
 * Which agents may run an execution (`spec.execution.target`, Testkube's runner targeting):
 * an agent carries labels (`assay agent --label region=eu`), announced in its hello as
 * capabilities `label:<key>=<value>`. `match` lists, per label key, the values of which the
 * agent's must be one (every key must match); `not` lists values the agent's label must not
 * have. An execution without a target runs on any agent of its environment.
 */

/** A run's target: label key -> accepted values, and label key -> refused values. */
export interface AgentTarget {
  match?: Record<string, string[]> | undefined;
  not?: Record<string, string[]> | undefined;
}

const LABEL_PREFIX = "label:";

/** The capability an agent announces for one label. */
export const labelCapability = (key: string, value: string): string => `${LABEL_PREFIX}${key}=${value}`;

/** An agent's labels, from its hello capabilities. */
export const labelsFromCapabilities = (capabilities: readonly string[]): Record<string, string> => {
  const labels: Record<string, string> = {};
  for (const c of capabilities) {
    if (!c.startsWith(LABEL_PREFIX)) continue;
    const at = c.indexOf("=");
    if (at > LABEL_PREFIX.length) labels[c.slice(LABEL_PREFIX.length, at)] = c.slice(at + 1);
  }
  return labels;
};

/**
 * The label every agent carries implicitly: its id. A replicated run (`replicate: [name]`) is
 * pinned to one agent with it; an agent cannot announce it for itself.
 */
export const AGENT_LABEL = "assay.io/agent";

/** An agent's labels for matching targets: its announced labels and its id. */
export const agentLabels = (agentId: string, capabilities: readonly string[]): Record<string, string> => ({
  ...labelsFromCapabilities(capabilities),
  [AGENT_LABEL]: agentId,
});

/** True when an agent with `labels` may run an execution with `target`. */
export const matchesTarget = (target: AgentTarget | undefined, labels: Record<string, string>): boolean => {
  if (target === undefined) return true;
  for (const [key, values] of Object.entries(target.match ?? {})) {
    const value = labels[key];
    if (value === undefined || !values.includes(value)) return false;
  }
  for (const [key, values] of Object.entries(target.not ?? {})) {
    const value = labels[key];
    if (value !== undefined && values.includes(value)) return false;
  }
  return true;
};

/** The target in words, for messages (`region=eu|us, not tier=spot`). */
export const describeTarget = (target: AgentTarget): string =>
  [
    ...Object.entries(target.match ?? {}).map(([k, v]) => `${k}=${v.join("|")}`),
    ...Object.entries(target.not ?? {}).map(([k, v]) => `not ${k}=${v.join("|")}`),
  ].join(", ");
