/**
 * Credential requests on an agent stream: the agent that holds an execution (assigned to it,
 * not finished) asks for the values its workflow references, once, before any step runs. The
 * answer carries the values found; refusals are answers with `error`, never stream errors.
 * Values pass through memory only: they are not logged, stored with the execution, or cached.
 */
import { isAppError } from "@assay/shared";
import type { ControlMessage, CredentialRequest } from "@assay/shared/proto";
import type { AgentWork } from "../core/agent-work.ts";
import type { CredentialService } from "../core/credentials.ts";
import type { Logger } from "../core/ports.ts";

/** Most names (and prefixes) one request may ask for. */
export const MAX_CREDENTIALS_PER_REQUEST = 1_000;

export interface CredentialScope {
  orgId: string;
  envId: string;
  agentId: string;
}

export function createCredentialRequests(deps: {
  credentials: CredentialService | undefined;
  work: AgentWork;
  logger: Logger;
}) {
  const { work, logger } = deps;
  return {
    async handle(
      scope: CredentialScope,
      request: CredentialRequest,
      send: (message: ControlMessage) => void,
    ): Promise<void> {
      const { requestId, executionId } = request;
      const answer = (values: Array<{ name: string; value: string; secret: boolean }>, error = "") =>
        send({ kind: { $case: "credentialResponse", value: { requestId, executionId, values, error } } });
      if (deps.credentials === undefined)
        return answer([], "credentials are not configured on this control plane");
      if (request.names.length + request.prefixes.length > MAX_CREDENTIALS_PER_REQUEST)
        return answer([], `at most ${MAX_CREDENTIALS_PER_REQUEST} credential names per request`);
      const execution = await work.get({ orgId: scope.orgId, envId: scope.envId, id: executionId });
      if (
        execution === undefined ||
        execution.agentId !== scope.agentId ||
        (execution.status !== "assigned" && execution.status !== "running")
      ) {
        return answer([], `execution ${executionId} is not running on this agent`);
      }
      try {
        const values = await deps.credentials.resolve({ orgId: scope.orgId, envId: scope.envId }, request);
        logger.info(
          { executionId, asked: request.names.length + request.prefixes.length, released: values.length },
          "credentials released to the agent",
        );
        answer(values);
      } catch (error) {
        const reason = isAppError(error) ? error.message : "internal error in the ingress";
        if (!isAppError(error))
          logger.error(
            { executionId, err: error instanceof Error ? error.message : String(error) },
            "credential request failed",
          );
        answer([], reason);
      }
    },
  };
}

export type CredentialRequests = ReturnType<typeof createCredentialRequests>;
