/**
 * The state of one agent stream as a closed union: `handshaking -> ready -> draining -> closed`.
 * Only `ready` and `draining` carry the agent's hello and its link (core/agent-link), so no
 * code path can act for an agent that has not said who it is.
 */
import type { Hello } from "@assay/shared/proto";
import type { AgentLink } from "../core/agent-link/agent-link.ts";

/**
 * What a stream keeps of its hello: who the agent is, for logs and the agents list. The rest
 * (secret, instance id, reported executions) is used once at hello and not held for the
 * stream's life (an idle ingress holds thousands of streams).
 */
export type HelloInfo = Pick<Hello, "agentId" | "agentVersion" | "hostname" | "capabilities">;

export const helloInfo = ({ agentId, agentVersion, hostname, capabilities }: Hello): HelloInfo => ({
  agentId,
  agentVersion,
  hostname,
  capabilities,
});

export type SessionState =
  | { phase: "handshaking" }
  | { phase: "ready"; hello: HelloInfo; link: AgentLink }
  | { phase: "draining"; hello: HelloInfo; link: AgentLink }
  | { phase: "closed"; hello?: HelloInfo };

export type SessionPhase = SessionState["phase"];

/** The hello and link of a stream that said hello and is still open. */
export const linked = (state: SessionState) =>
  state.phase === "ready" || state.phase === "draining" ? state : undefined;
