/**
 * Agent identities: the control plane issues every agent id (with a secret) at registration,
 * and every stream after that must prove it holds one. A stream's hello names the identity, its
 * secret and the agent process (a random instance id per start); the identity is then held by
 * that process until its stream ends, so two processes started from one copied state directory
 * cannot share an id: the second is refused with `already_exists` and told to register anew.
 * The same process reconnecting (a cut network, a restarted ingress) takes its claim over.
 *
 * A claim lapses on its own after `claimTtlMs` (default: the longest a stream lives, plus the
 * dead-stream threshold); every hello renews it, and streams rotate before it lapses. It only
 * matters when an ingress vanished without releasing the claims of its streams.
 */
import { randomBytes } from "node:crypto";
import { AppError } from "@assay/shared";
import type { AgentIdentityStore, Clock } from "../ports.ts";
import { hashToken } from "../tokens.ts";
import type { AgentRef } from "./agent-link.ts";

/** Issued agent ids: `agt_` and 24 random hex digits. */
export const ISSUED_AGENT_ID = /^agt_[0-9a-f]{24}$/;
const SECRET_PREFIX = "asy_agentkey_";

export interface ClaimInput {
  agentId: string;
  secret: string;
  instanceId: string;
  sessionId: string;
  hostname: string;
}

export function createAgentIdentities(deps: {
  store: AgentIdentityStore;
  clock: Clock;
  /** How long a claim outlives its last hello when nobody releases it (default 31 min). */
  claimTtlMs?: number;
}) {
  const { store, clock } = deps;
  const claimTtlMs = deps.claimTtlMs ?? 31 * 60_000;

  return {
    /** Issues a new identity in the agent token's environment; the secret is returned only here. */
    async register(env: { orgId: string; envId: string }, hostname: string) {
      const agentId = `agt_${randomBytes(12).toString("hex")}`;
      const secret = `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
      await store.create({
        ...env,
        agentId,
        secretHash: hashToken(secret),
        hostname: hostname.slice(0, 200),
        createdAt: new Date(clock.now()).toISOString(),
      });
      return { agentId, secret };
    },

    /**
     * Binds one stream to the identity it claims. Throws `not_found` for an id this environment
     * never issued, `permission_denied` for a wrong secret, `already_exists` while another
     * process holds it.
     */
    async claim(env: { orgId: string; envId: string }, input: ClaimInput): Promise<AgentRef> {
      if (!ISSUED_AGENT_ID.test(input.agentId) || !input.secret.startsWith(SECRET_PREFIX)) {
        throw new AppError(
          "not_found",
          "hello.agent_id must be an identity issued by Register in this environment, with its agent_secret: register first",
        );
      }
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(input.instanceId)) {
        throw new AppError("invalid_argument", "hello.instance_id must be 8-64 letters, digits, '_' or '-'");
      }
      const nowMs = clock.now();
      const result = await store.claim({
        ...env,
        agentId: input.agentId,
        secretHash: hashToken(input.secret),
        instanceId: input.instanceId,
        sessionId: input.sessionId,
        hostname: input.hostname.slice(0, 200),
        nowMs,
        heldUntilMs: nowMs + claimTtlMs,
      });
      if (result.ok) return { ...env, agentId: input.agentId };
      switch (result.reason) {
        case "unknown":
          throw new AppError(
            "not_found",
            `agent ${input.agentId} is not registered in this environment: register again`,
          );
        case "bad_secret":
          throw new AppError("permission_denied", `the agent secret does not match agent ${input.agentId}`);
        case "held":
          throw new AppError(
            "already_exists",
            `agent ${input.agentId} is already connected from another process` +
              `${result.hostname ? ` on ${result.hostname}` : ""}${result.since ? ` (since ${result.since})` : ""}. ` +
              "Two agents must not share one state directory: give this one its own (--state-dir) " +
              "or delete its identity.json to register it as a new agent",
          );
      }
    },

    /** Lets go of the identity a stream held (the stream ended). */
    release: (agent: AgentRef, sessionId: string) => store.release(agent, agent.agentId, sessionId),
  };
}

export type AgentIdentities = ReturnType<typeof createAgentIdentities>;
