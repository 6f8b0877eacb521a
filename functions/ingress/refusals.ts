/**
 * How the ingress refuses: an AppError becomes a gRPC status, and a refusal an agent must act on
 * (an unsupported protocol version, a rate limit) also carries a typed `Refusal` in the
 * `assay-refusal-bin` trailer (docs/protocol.md, "Errors").
 */
import { AppError, GRPC_STATUS } from "@assay/shared";
import {
  type Hello,
  MIN_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
  REFUSAL_TRAILER,
  Refusal,
  Refusal_Reason,
} from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";

/** An AppError with the typed refusal its status carries. */
export class Refused extends AppError {
  readonly refusal: Refusal;
  constructor(code: AppError["code"], message: string, refusal: Partial<Refusal>) {
    super(code, message);
    this.refusal = Refusal.fromPartial(refusal);
  }
}

/** The status for an error; rate limits and refusals carry their `Refusal` trailer. */
export function toServiceError(error: AppError): Partial<grpc.StatusObject> {
  const refusal =
    error instanceof Refused
      ? error.refusal
      : error.code === "resource_exhausted" && error.retryAfterSeconds !== undefined
        ? Refusal.fromPartial({
            reason: Refusal_Reason.REASON_RATE_LIMITED,
            retryAfterMs: error.retryAfterSeconds * 1000,
          })
        : undefined;
  if (!refusal) return { code: GRPC_STATUS[error.code], details: error.message };
  const metadata = new grpc.Metadata();
  metadata.set(REFUSAL_TRAILER, Buffer.from(Refusal.encode(refusal).finish()));
  return { code: GRPC_STATUS[error.code], details: error.message, metadata };
}

/**
 * Whether the hello's protocol version is supported: MIN_PROTOCOL_VERSION to PROTOCOL_VERSION.
 * Agents built after identities were issued but before the version said so announce 1 with a
 * secret: they speak version 2 and are taken for it. A version 1 hello without a secret comes
 * from an agent that chose its own id; it (and any other version) is refused with the upgrade.
 * The upgrade command is only built for a refusal: building it renders the environment's
 * install commands, which no accepted hello needs.
 */
export function checkProtocolVersion(hello: Hello, upgradeCommandOf: () => string): void {
  const { protocolVersion } = hello;
  const speaks = protocolVersion === 1 && hello.agentSecret !== "" ? 2 : protocolVersion;
  if (speaks >= MIN_PROTOCOL_VERSION && speaks <= PROTOCOL_VERSION) return;
  const supported =
    MIN_PROTOCOL_VERSION === PROTOCOL_VERSION
      ? `${PROTOCOL_VERSION}`
      : `${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}`;
  const direction = speaks < MIN_PROTOCOL_VERSION ? "too old" : "newer than this control plane";
  const upgradeCommand = upgradeCommandOf();
  throw new Refused(
    "failed_precondition",
    `agent protocol version ${protocolVersion} is not supported (the agent is ${direction}; this control plane speaks ${supported}): install the control plane's agent: ${upgradeCommand}`,
    {
      reason: Refusal_Reason.REASON_PROTOCOL_UNSUPPORTED,
      protocolVersion,
      minProtocolVersion: MIN_PROTOCOL_VERSION,
      maxProtocolVersion: PROTOCOL_VERSION,
      upgradeCommand,
    },
  );
}
