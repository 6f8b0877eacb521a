/**
 * Builds the accounts and tenancy services (signup to audit) from their ports. createCore calls
 * this; the API gets the result as `core.tenancy`.
 */
import { type AccountSettings, createAccountService, defaultAccountSettings } from "./accounts.ts";
import { createTokenAdminService } from "./api-tokens.ts";
import { createAuditLog } from "./audit.ts";
import { createAuthn } from "./authn.ts";
import type { CredentialSealer } from "./credential-crypto.ts";
import { createEnvironmentService } from "./environments.ts";
import { AGENT_TARBALL_PATH, DEFAULT_AGENT_IMAGE, type InstallSettings } from "./install.ts";
import { createInvitationService } from "./invitations.ts";
import { lazyMethods } from "./lazy.ts";
import type { Lifecycle } from "./lifecycle/lifecycle.ts";
import { createMemberService } from "./members.ts";
import { createOrgService } from "./orgs.ts";
import type { OidcClient } from "./ports/oidc-client.ts";
import type { SsoStore } from "./ports/sso-store.ts";
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
  TokenStore,
  TokenUsageStore,
  UserStore,
  WorkflowStore,
} from "./ports.ts";
import { createPrincipals } from "./principals.ts";
import { createRateLimits, type RateLimit, type RateLimitName } from "./rate-limit.ts";
import { createSessionService } from "./sessions.ts";
import { providerViews } from "./sso/platform-providers.ts";
import { createSsoPolicy } from "./sso/policy.ts";
import { createSsoSettings } from "./sso/settings.ts";
import type { PlatformProvider, SsoSignIn } from "./sso/signin.ts";
import type { TokenService } from "./tokens.ts";

/** The ports of the accounts layer (DynamoDB adapters in AWS and locally; see dynamo-tenancy-stores.ts). */
export interface TenancyPorts {
  users: UserStore;
  sessions: SessionStore;
  oneTimeTokens: OneTimeTokenStore;
  members: MemberStore;
  invitations: InvitationStore;
  audit: AuditStore;
  rateLimiter: RateLimiter;
  presence: AgentPresenceStore;
  agentIdentities: AgentIdentityStore;
  runSlots: RunSlots;
  tokenUsage: TokenUsageStore;
  mailer: Mailer;
  /** Single sign-on settings, sign-ins in progress and linked identities. */
  sso: SsoStore;
  /** The OpenID Connect relying party; without it SSO sign-in answers 409. */
  oidc?: OidcClient;
}

export interface TenancySettings extends AccountSettings, InstallSettings {
  rateLimits: Partial<Record<RateLimitName, RateLimit>>;
  /** Platform-wide identity providers the operator offers to everyone (docs/sso.md). */
  ssoProviders: PlatformProvider[];
}

/** Where providers send users back after signing in. */
export const SSO_CALLBACK_PATH = "/v1/auth/sso/callback";

export const defaultTenancySettings: TenancySettings = {
  ...defaultAccountSettings,
  ingressUrl: "https://localhost:8443",
  agentTarballUrl: `http://127.0.0.1:8080${AGENT_TARBALL_PATH}`,
  agentImage: DEFAULT_AGENT_IMAGE,
  rateLimits: {},
  ssoProviders: [],
};

export function createTenancy(deps: {
  ports: TenancyPorts;
  orgStore: OrgStore;
  tokens: TokenStore;
  issuer: TokenService;
  workflows: WorkflowStore;
  executions: ExecutionStore;
  lifecycle: Lifecycle;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Seals SSO client secrets (the credential key); without it they cannot be stored. */
  sealer?: CredentialSealer;
  settings?: Partial<TenancySettings>;
}) {
  const settings = { ...defaultTenancySettings, ...deps.settings };
  const { ports, orgStore, tokens, clock, logger } = deps;
  const audit = createAuditLog({ audit: ports.audit, clock, logger });
  const rateLimits = createRateLimits({ limiter: ports.rateLimiter, clock, limits: settings.rateLimits });
  const sessions = createSessionService({ sessions: ports.sessions, users: ports.users, clock });
  const environments = createEnvironmentService({
    orgStore,
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
    orgStore,
    members: ports.members,
    tokens,
    invitations: ports.invitations,
    environments,
    audit,
    clock,
  });
  // Read when used: local mode learns its public URL only once it listens.
  const redirectUri = () => `${settings.publicWebUrl.replace(/\/$/, "")}${SSO_CALLBACK_PATH}`;
  const ssoPolicy = createSsoPolicy({ store: ports.sso, members: ports.members });
  const ssoSettings = createSsoSettings({ store: ports.sso, sealer: deps.sealer, audit, clock, redirectUri });
  const invitations = createInvitationService({
    invitations: ports.invitations,
    members: ports.members,
    orgStore,
    mailer: ports.mailer,
    rateLimits,
    audit,
    clock,
    settings,
  });
  return {
    settings,
    audit,
    /** The rate limits (the ingress limits agent registration with them). */
    rateLimits,
    principals: createPrincipals({ orgStore, members: ports.members, ssoRequired: ssoPolicy.required }),
    ssoSettings,
    // The sign-in flows load with the first sign-in step; the provider list is read at once.
    sso: {
      providers: () => providerViews(settings.ssoProviders),
      ...lazyMethods<Omit<SsoSignIn, "providers">>(
        { start: true, callback: true, linkInfo: true, link: true },
        async () =>
          (await import("./sso/signin.ts")).createSsoSignIn({
            store: ports.sso,
            oidc: ports.oidc,
            settings: ssoSettings,
            users: ports.users,
            members: ports.members,
            orgs,
            sessions,
            audit,
            rateLimits,
            clock,
            logger,
            providers: () => settings.ssoProviders,
            redirectUri,
          }),
      ),
    },
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
      invitations,
      mailer: ports.mailer,
      rateLimits,
      audit,
      clock,
      logger,
      settings,
      ssoPolicy,
    }),
    orgs,
    members: createMemberService({ members: ports.members, audit }),
    invitations,
    environments,
    tokens: createTokenAdminService({
      tokens,
      issuer: deps.issuer,
      orgStore,
      audit,
      clock,
      install: settings,
    }),
  };
}

export type Tenancy = ReturnType<typeof createTenancy>;
