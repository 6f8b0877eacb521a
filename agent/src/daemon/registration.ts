/**
 * Registration: an agent without an identity asks the control plane for one with its token
 * (`Register`), keeps the answer in its state directory and uses it from then on. A refusal
 * comes back as the SessionEnd the reconnect loop's end policy decides on.
 */
import { type AgentGatewayClient, refusalIn } from "@assay/shared/proto";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { type AgentIdentity, saveIdentity } from "./identity.ts";
import type { SessionEnd } from "./link.ts";
import type { AgentLogger } from "./options.ts";

export interface RegisterOptions {
  token: string;
  hostname: string;
  agentVersion: string;
  /** This host's fingerprint, kept with the identity. */
  host: string;
  stateDir: string;
  handshakeTimeoutMs: number | undefined;
  logger: AgentLogger;
}

/** Asks the control plane for an identity and keeps it; a SessionEnd when it was refused. */
export const register = async (
  client: AgentGatewayClient,
  options: RegisterOptions,
): Promise<AgentIdentity | SessionEnd> => {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${options.token}`);
  const answer = await new Promise<{ error?: ServiceError; response?: AgentIdentity }>((resolve) =>
    client.register(
      { hostname: options.hostname, agentVersion: options.agentVersion, platform: process.platform },
      metadata,
      { deadline: Date.now() + (options.handshakeTimeoutMs ?? 35_000) },
      (error, response) =>
        resolve(
          error || !response
            ? { error: error ?? undefined }
            : { response: { ...response, host: options.host } },
        ),
    ),
  );
  if (answer.response === undefined) {
    const error = answer.error;
    return {
      kind: "status",
      code: error?.code ?? status.UNKNOWN,
      details: error?.details ?? "",
      welcomed: false,
      refusal: refusalIn(error?.metadata),
    };
  }
  await saveIdentity(options.stateDir, answer.response);
  options.logger.info(
    `registered as agent ${answer.response.agentId} in ${answer.response.orgId}/${answer.response.envId} (kept in ${options.stateDir})`,
  );
  return answer.response;
};
