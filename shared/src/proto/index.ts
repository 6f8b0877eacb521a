/**
 * The agent protocol's generated messages and gRPC service definitions (node-only: the
 * dashboard never imports this subpath). Regenerate with `npm run generate`.
 */
import { Refusal } from "./gen/assay/agent/v1/agent.ts";

export * from "./gen/assay/agent/v1/agent.ts";

/**
 * Protocol version this build speaks; see docs/protocol.md ("Version negotiation"). 2: agent
 * identities are issued by `Register` and every hello proves one with its secret (version 1
 * agents chose their own ids).
 */
export const PROTOCOL_VERSION = 2;

/** The oldest protocol version the control plane of this build accepts. */
export const MIN_PROTOCOL_VERSION = 2;

/** The binary trailer of a refusing status that carries a {@link Refusal}. */
export const REFUSAL_TRAILER = "assay-refusal-bin";

/** The refusal in a status's trailers, if the control plane sent one (a bad one reads as none). */
export const refusalIn = (metadata: { get(key: string): unknown[] } | undefined): Refusal | undefined => {
  const value = metadata?.get(REFUSAL_TRAILER)[0];
  if (!(value instanceof Uint8Array)) return undefined;
  try {
    return Refusal.decode(value);
  } catch {
    return undefined;
  }
};
