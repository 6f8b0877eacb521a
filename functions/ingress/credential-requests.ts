/**
 * Credential requests on an agent stream: the agent that holds an execution asks for the values
 * its workflow references, once, before any step runs. Whether it may have them is core's rule
 * (core/agent-link/credential-release.ts); here the request is bounded, answered, and logged by
 * count only. Refusals are answers with `error`, never stream errors; values are never logged.
 */
import { isAppError } from "@assay/shared";
import type { ControlMessage, CredentialRequest } from "@assay/shared/proto";
import type { AgentRef } from "../core/agent-link/agent-link.ts";
import type { CredentialRelease } from "../core/agent-link/credential-release.ts";
import type { Logger } from "../core/ports.ts";

/** Most names (and prefixes) one request may ask for. */
export const MAX_CREDENTIALS_PER_REQUEST = 1_000;

export function createCredentialRequests(deps: { release: CredentialRelease | undefined; logger: Logger }) {
  const { logger } = deps;
  return {
    async handle(
      agent: AgentRef,
      request: CredentialRequest,
      send: (message: ControlMessage) => void,
    ): Promise<void> {
      const { requestId, executionId } = request;
      const answer = (values: Array<{ name: string; value: string; secret: boolean }>, error = "") =>
        send({ kind: { $case: "credentialResponse", value: { requestId, executionId, values, error } } });
      if (deps.release === undefined)
        return answer([], "credentials are not configured on this control plane");
      if (request.names.length + request.prefixes.length > MAX_CREDENTIALS_PER_REQUEST)
        return answer([], `at most ${MAX_CREDENTIALS_PER_REQUEST} credential names per request`);
      try {
        const released = await deps.release.release(agent, executionId, request);
        if ("refusal" in released) return answer([], released.refusal);
        logger.info(
          {
            executionId,
            asked: request.names.length + request.prefixes.length,
            released: released.values.length,
          },
          "credentials released to the agent",
        );
        answer(released.values);
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
