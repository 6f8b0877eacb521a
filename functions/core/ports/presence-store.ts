import type { AgentPresence } from "@assay/shared";
import type { EnvRef } from "./refs.ts";

/**
 * Where agents are connected, written by the ingress (API Lambdas cannot see its memory). One
 * item per agent id; a newer session of the same agent replaces an older one.
 */
export interface AgentPresenceStore {
  connected(presence: AgentPresence): Promise<void>;
  /** Records a heartbeat of that session (ignored when a newer session replaced it). */
  heartbeat(env: EnvRef, agentId: string, sessionId: string, at: string): Promise<void>;
  /** Records the end of that session (ignored when a newer session replaced it). */
  disconnected(env: EnvRef, agentId: string, sessionId: string, at: string): Promise<void>;
  /**
   * Writes the presence of many connected agents at once, whole records in batches (the
   * ingress's periodic refresh: one call for thousands of agents instead of one write each).
   * Unconditional, so while an agent's replaced stream is still open elsewhere its record may
   * flip between the two sessions until the old stream ends.
   */
  record(presences: AgentPresence[]): Promise<void>;
  list(env: EnvRef): Promise<AgentPresence[]>;
}
