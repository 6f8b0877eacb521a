/**
 * Credentials released to an agent: only for an execution it holds (assigned to it, not
 * finished: ownership.ts), the values of the names and prefixes it asks for. Values pass
 * through memory only: they are not logged, stored with the execution, or cached.
 */
import type { AgentWork } from "../agent-work.ts";
import type { CredentialService, ResolvedCredential } from "../credentials.ts";
import type { AgentRef } from "./agent-link.ts";
import { notRunningHere, ownershipOf } from "./ownership.ts";

export function createCredentialRelease(deps: { credentials: CredentialService; work: AgentWork }) {
  return {
    /** The values asked for, or the refusal when the agent does not hold the execution. */
    async release(
      agent: AgentRef,
      executionId: string,
      wanted: { names: readonly string[]; prefixes: readonly string[] },
    ): Promise<{ values: ResolvedCredential[] } | { refusal: string }> {
      const { orgId, envId, agentId } = agent;
      const execution = await deps.work.get({ orgId, envId, id: executionId });
      if (ownershipOf(execution, agentId) !== "held") return { refusal: notRunningHere(executionId) };
      return { values: await deps.credentials.resolve({ orgId, envId }, wanted) };
    },
  };
}

export type CredentialRelease = ReturnType<typeof createCredentialRelease>;
