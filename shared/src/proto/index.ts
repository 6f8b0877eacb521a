/**
 * The agent protocol's generated messages and gRPC service definitions (node-only: the
 * dashboard never imports this subpath). Regenerate with `npm run generate`.
 */
export * from "./gen/assay/agent/v1/agent.ts";

/** Protocol version this build speaks; see docs/protocol.md for negotiation. */
export const PROTOCOL_VERSION = 1;
