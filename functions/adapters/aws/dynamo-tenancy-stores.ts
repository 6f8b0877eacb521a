/**
 * The accounts and tenancy stores over the one table: what composition roots call, next to
 * createDynamoStores.
 */
import type { Clock } from "../../core/ports.ts";
import type { TenancyPorts } from "../../core/tenancy.ts";
import { createDynamoAgentIdentityStore } from "./dynamo-agent-identity-store.ts";
import { createDynamoAuditStore } from "./dynamo-audit-store.ts";
import { createDynamoInvitationStore } from "./dynamo-invitation-store.ts";
import { createDynamoMemberStore } from "./dynamo-member-store.ts";
import { createDynamoOneTimeTokenStore } from "./dynamo-one-time-token-store.ts";
import { createDynamoPresenceStore } from "./dynamo-presence-store.ts";
import { createDynamoRateLimiter } from "./dynamo-rate-limiter.ts";
import { createDynamoRunSlots } from "./dynamo-run-slots.ts";
import { createDynamoSessionStore } from "./dynamo-session-store.ts";
import { createDynamoSsoStore } from "./dynamo-sso-store.ts";
import type { DynamoStoreConfig } from "./dynamo-support.ts";
import { createDynamoTokenUsageStore } from "./dynamo-token-usage-store.ts";
import { createDynamoUserStore } from "./dynamo-user-store.ts";

/** Every accounts and tenancy port but the mail and OpenID Connect clients (not stores). */
export type DynamoTenancyStores = Omit<TenancyPorts, "mailer" | "oidc">;

/** Builds every accounts and tenancy store over `tableName` (`clock` times the presence store's retries). */
export const createDynamoTenancyStores = (
  config: DynamoStoreConfig & { clock: Clock },
): DynamoTenancyStores => ({
  users: createDynamoUserStore(config),
  sessions: createDynamoSessionStore(config),
  oneTimeTokens: createDynamoOneTimeTokenStore(config),
  members: createDynamoMemberStore(config),
  invitations: createDynamoInvitationStore(config),
  audit: createDynamoAuditStore(config),
  rateLimiter: createDynamoRateLimiter(config),
  presence: createDynamoPresenceStore(config),
  agentIdentities: createDynamoAgentIdentityStore(config),
  runSlots: createDynamoRunSlots(config),
  tokenUsage: createDynamoTokenUsageStore(config),
  sso: createDynamoSsoStore(config),
});
