/**
 * The agent gateway over a built core: the one way the local control plane and the ingress
 * container build it (artifact uploads, presence and the agent protocol's rules all come from
 * the core; the caller only tunes the transport).
 */
import type { Core } from "../core/index.ts";
import { installCommands } from "../core/install.ts";
import { envRefOf } from "../core/ports/refs.ts";
import { createAgentGateway, type GatewayConfig } from "./agent-gateway.ts";
import { createArtifactUploads } from "./artifact-uploads.ts";

export const buildIngress = (core: Core, config: Partial<GatewayConfig> = {}) =>
  createAgentGateway({
    ...core,
    config,
    // Issued agent identities: Register creates them, every hello claims one.
    identities: core.agentIdentities,
    // Agent tokens' "last used", recorded as their streams are accepted.
    tokenUsage: core.tokenUsage,
    // Presigned upload URLs over the stream; completion queues the unpack job.
    artifacts: createArtifactUploads({ artifacts: core.artifacts, logger: core.logger }),
    // Register is limited per token and per source, like the account endpoints.
    rateLimits: core.tenancy.rateLimits,
    // An agent refused as too old is told the npx command of this control plane's agent.
    upgradeCommand: (env) => installCommands(core.tenancy.settings, envRefOf(env)).npx,
  });
