/**
 * Builds the accounts and tenancy services (signup to audit) from their ports. createCore calls
 * this; the API gets the result as `core.tenancy`.
 */
import { type AccountSettings, createAccountService, defaultAccountSettings } from "./accounts.ts";
import { createTokenAdminService } from "./api-tokens.ts";
import { createAuditLog } from "./audit.ts";
import { createAuthn } from "./authn.ts";
import { createEnvironmentService } from "./environments.ts";
import { AGENT_TARBALL_PATH, DEFAULT_AGENT_IMAGE, type InstallSettings } from "./install.ts";
import { createInvitationService } from "./invitations.ts";
import type { Lifecycle } from "./lifecycle/lifecycle.ts";
import { createMemberService } from "./members.ts";
import { createOrgService } from "./orgs.ts";
import type {
  AgentIdentityStore,
  AgentPresenceStore,
  AuditStore,
  Clock,
  ExecutionStore,
  InvitationStore,
  JobQueue,
  Logger,
  Mailer,
  MemberStore,
  OneTimeTokenStore,
  OrgStore,
  RateLimiter,
  RunSlots,
  SessionStore,
  TenantStore,
  TokenStore,
  TokenUsageStore,
  UserStore,
  WorkflowStore,
} from "./ports.ts";
import { createPrincipals } from "./principals.ts";
import { createRateLimits, type RateLimit, type RateLimitName } from "./rate-limit.ts";
import { createSessionService } from "./sessions.ts";
import type { TokenService } from "./tokens.ts";

/** The ports of the accounts layer (DynamoDB adapters in AWS and locally; see dynamo-tenancy-stores.ts). */
export interface TenancyPorts {
  users: UserStore;
  sessions: SessionStore;
  oneTimeTokens: OneTimeTokenStore;
  orgs: OrgStore;
  members: MemberStore;
  invitations: InvitationStore;
  audit: AuditStore;
  rateLimiter: RateLimiter;
  presence: AgentPresenceStore;
  agentIdentities: AgentIdentityStore;
  runSlots: RunSlots;
  tokenUsage: TokenUsageStore;
  mailer: Mailer;
}

export interface TenancySettings extends AccountSettings, InstallSettings {
  rateLimits: Partial<Record<RateLimitName, RateLimit>>;
}

export const defaultTenancySettings: TenancySettings = {
  ...defaultAccountSettings,
  ingressUrl: "https://localhost:8443",
  agentTarballUrl: `http://127.0.0.1:8080${AGENT_TARBALL_PATH}`,
  agentImage: DEFAULT_AGENT_IMAGE,
  rateLimits: {},
};

export function createTenancy(deps: {
  ports: TenancyPorts;
  tenants: TenantStore;
  tokens: TokenStore;
  issuer: TokenService;
  workflows: WorkflowStore;
  executions: ExecutionStore;
  lifecycle: Lifecycle;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  settings?: Partial<TenancySettings>;
}) {
  const settings = { ...defaultTenancySettings, ...deps.settings };
  const { ports, tenants, tokens, clock, logger } = deps;
  const audit = createAuditLog({ audit: ports.audit, clock, logger });
  const rateLimits = createRateLimits({ limiter: ports.rateLimiter, clock, limits: settings.rateLimits });
  const sessions = createSessionService({ sessions: ports.sessions, users: ports.users, clock });
  const environments = createEnvironmentService({
    tenants,
    orgStore: ports.orgs,
    tokens,
    workflows: deps.workflows,
    executions: deps.executions,
    lifecycle: deps.lifecycle,
    presence: ports.presence,
    jobs: deps.jobs,
    audit,
    clock,
    install: settings,
  });
  const orgs = createOrgService({
    tenants,
    orgStore: ports.orgs,
    members: ports.members,
    tokens,
    invitations: ports.invitations,
    environments,
    audit,
    clock,
  });
  return {
    settings,
    audit,
    principals: createPrincipals({ tenants, members: ports.members }),
    authn: createAuthn({
      tokens: deps.issuer,
      tokenUsage: ports.tokenUsage,
      sessions,
      rateLimits,
      clock,
      logger,
    }),
    sessions,
    accounts: createAccountService({
      users: ports.users,
      oneTimeTokens: ports.oneTimeTokens,
      members: ports.members,
      sessions,
      orgs,
      mailer: ports.mailer,
      rateLimits,
      audit,
      clock,
      logger,
      settings,
    }),
    orgs,
    members: createMemberService({ members: ports.members, audit }),
    invitations: createInvitationService({
      invitations: ports.invitations,
      members: ports.members,
      tenants,
      mailer: ports.mailer,
      rateLimits,
      audit,
      clock,
      settings,
    }),
    environments,
    tokens: createTokenAdminService({
      tokens,
      issuer: deps.issuer,
      tenants,
      audit,
      clock,
      install: settings,
    }),
  };
}

export type Tenancy = ReturnType<typeof createTenancy>;
