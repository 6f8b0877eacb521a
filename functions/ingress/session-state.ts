/**
 * The state of one agent stream as a closed union: `handshaking -> ready -> draining -> closed`.
 * Only `ready` and `draining` carry the agent's hello and its link (core/agent-link), so no
 * code path can act for an agent that has not said who it is.
 */
import type { Hello } from "@assay/shared/proto";
import type { AgentLink } from "../core/agent-link/agent-link.ts";

export type SessionState =
  | { phase: "handshaking" }
  | { phase: "ready"; hello: Hello; link: AgentLink }
  | { phase: "draining"; hello: Hello; link: AgentLink }
  | { phase: "closed"; hello?: Hello };

export type SessionPhase = SessionState["phase"];

/** The hello and link of a stream that said hello and is still open. */
export const linked = (state: SessionState) =>
  state.phase === "ready" || state.phase === "draining" ? state : undefined;
