/** Agent identities issued at registration, and which agent process holds each one now. */
import type { EnvRef } from "./refs.ts";

/** An agent identity the control plane issued (the secret only as its hash). */
export interface AgentIdentity {
  orgId: string;
  envId: string;
  agentId: string;
  /** SHA-256 (hex) of the agent secret. */
  secretHash: string;
  hostname: string;
  createdAt: string;
}

/** Why a claim of an identity was refused. */
export type AgentClaimRefusal =
  | { reason: "unknown" }
  | { reason: "bad_secret" }
  | { reason: "held"; hostname: string; since: string };

/**
 * Agent identities issued at registration, and which agent process holds each one now. A claim
 * is exclusive: one process (instance id) at a time, until it releases the claim (its stream
 * ended) or the claim lapses (`heldUntilMs`, for an ingress that vanished without releasing).
 */
export interface AgentIdentityStore {
  /** Stores a new identity (ids are random: an existing one is `already_exists`). */
  create(identity: AgentIdentity): Promise<void>;
  /**
   * Claims the identity for `instanceId` (one stream `sessionId`) if the secret matches and no
   * other instance holds an unlapsed claim; a claim by the same instance is renewed.
   */
  claim(input: {
    orgId: string;
    envId: string;
    agentId: string;
    secretHash: string;
    instanceId: string;
    sessionId: string;
    hostname: string;
    nowMs: number;
    heldUntilMs: number;
  }): Promise<{ ok: true } | ({ ok: false } & AgentClaimRefusal)>;
  /** Releases the claim if stream `sessionId` still holds it (a no-op otherwise). */
  release(env: EnvRef, agentId: string, sessionId: string): Promise<void>;
}
