import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";
import { Slug } from "./ids.ts";

export const Role = lazySchema(() => z.enum(["owner", "admin", "member", "viewer"]));
export type Role = z.infer<typeof Role>;

export const Organization = lazySchema(() =>
  z.object({
    id: Slug,
    name: z.string().min(1).max(200),
    plan: z.string().default("free"),
    createdAt: z.string(),
    /** Set when the organization was deleted: the slug stays reserved so no data is inherited. */
    deletedAt: z.string().optional(),
  }),
);
export type Organization = z.infer<typeof Organization>;

export const Environment = lazySchema(() =>
  z.object({
    orgId: Slug,
    id: Slug,
    name: z.string().min(1).max(200),
    createdAt: z.string(),
    updatedAt: z.string().optional(),
  }),
);
export type Environment = z.infer<typeof Environment>;

export const TokenKind = lazySchema(() => z.enum(["api", "agent"]));
export type TokenKind = z.infer<typeof TokenKind>;

/** Token secrets are shown once; the store keeps only their SHA-256. */
export const TOKEN_PREFIX: Record<TokenKind, string> = { api: "asy_api_", agent: "asy_agent_" };

export const TokenRecord = lazySchema(() =>
  z.object({
    /** Public id of the token (for listing and revoking). */
    id: z.string(),
    kind: TokenKind,
    /** Hex SHA-256 of the secret. */
    hash: z.string(),
    name: z.string(),
    orgId: Slug,
    /** Agent tokens belong to one environment. */
    envId: Slug.optional(),
    /** API tokens act with a role in their organization. */
    role: Role.optional(),
    createdAt: z.string(),
    expiresAt: z.string().optional(),
    revokedAt: z.string().optional(),
    lastUsedAt: z.string().optional(),
  }),
);
export type TokenRecord = z.infer<typeof TokenRecord>;

// ---------------------------------------------------------------------------------------------
// Accounts, members, invitations, audit, plans and agent presence: the public shapes of the
// accounts and tenancy API (request bodies and views), shared by the control plane and the web.
// ---------------------------------------------------------------------------------------------

/** An email address, trimmed and lower-cased (addresses are compared case-insensitively). */
export const Email = lazySchema(() =>
  z.string().trim().toLowerCase().max(254).pipe(z.email("must be an email address")),
);
export type Email = z.infer<typeof Email>;

/** Passwords are checked for strength in core; the schema only bounds their size. */
export const Password = lazySchema(() =>
  z.string().min(1, "is required").max(256, "must be at most 256 characters"),
);

/** A user as the API shows it (never the password hash). */
export const UserView = lazySchema(() =>
  z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    createdAt: z.string(),
  }),
);
export type UserView = z.infer<typeof UserView>;

/** A user's role in one organization. */
export const Membership = lazySchema(() =>
  z.object({
    orgId: Slug,
    userId: z.string(),
    email: z.string(),
    name: z.string().default(""),
    role: Role,
    createdAt: z.string(),
  }),
);
export type Membership = z.infer<typeof Membership>;

/** A pending invitation (its token is only ever in the email sent to the invitee). */
export const InvitationView = lazySchema(() =>
  z.object({
    id: z.string(),
    orgId: Slug,
    email: z.string(),
    role: Role,
    invitedBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
  }),
);
export type InvitationView = z.infer<typeof InvitationView>;

/** A token as listed: everything but the hash of its secret. */
export const TokenView = lazySchema(() => TokenRecord.omit({ hash: true }));
export type TokenView = z.infer<typeof TokenView>;

/** Who did something recorded in the audit log. */
export const AuditActor = lazySchema(() =>
  z.object({
    kind: z.enum(["user", "api", "system"]),
    id: z.string(),
    /** The user's email or the token's name, as it was at the time. */
    label: z.string().default(""),
  }),
);
export type AuditActor = z.infer<typeof AuditActor>;

/** One security-relevant action in an organization. */
export const AuditEvent = lazySchema(() =>
  z.object({
    /** ULID: time-ordered, so the log lists newest first by key. */
    id: z.string(),
    orgId: Slug,
    at: z.string(),
    /** Dotted verb, e.g. `auth.login`, `member.role_changed`, `api_token.created`. */
    action: z.string(),
    actor: AuditActor,
    target: z.object({ kind: z.string(), id: z.string() }).optional(),
    ip: z.string().optional(),
    details: z.record(z.string(), z.string()).default({}),
  }),
);
export type AuditEvent = z.infer<typeof AuditEvent>;

export const PlanName = lazySchema(() => z.enum(["free", "team"]));
export type PlanName = z.infer<typeof PlanName>;

/** What a plan allows an organization. */
export const PlanLimits = lazySchema(() =>
  z.object({
    environments: z.number().int(),
    concurrentExecutions: z.number().int(),
    logRetentionDays: z.number().int(),
    artifactRetentionDays: z.number().int(),
  }),
);
export type PlanLimits = z.infer<typeof PlanLimits>;

/** An organization with the caller's role and its plan's limits. */
export const OrgView = lazySchema(() =>
  Organization.omit({ deletedAt: true }).extend({
    role: Role,
    limits: PlanLimits,
  }),
);
export type OrgView = z.infer<typeof OrgView>;

/** What the ingress records about a connected (or recently connected) agent. */
export const AgentPresence = lazySchema(() =>
  z.object({
    orgId: Slug,
    envId: Slug,
    agentId: z.string(),
    sessionId: z.string(),
    version: z.string().default(""),
    hostname: z.string().default(""),
    capabilities: z.array(z.string()).default([]),
    connectedAt: z.string(),
    lastHeartbeatAt: z.string(),
    disconnectedAt: z.string().optional(),
  }),
);
export type AgentPresence = z.infer<typeof AgentPresence>;

/** An agent as the API lists it: presence plus a status derived from its last heartbeat, and whether to update it. */
export const AgentView = lazySchema(() =>
  AgentPresence.extend({
    status: z.enum(["online", "offline"]),
    /** Where the agent runs steps (`docker`, `process`), from its `runner.*` capability; "" if unknown. */
    runtime: z.string().default(""),
    /** Older than the oldest agent version this control plane supports (or no version said). */
    outdated: z.boolean(),
  }),
);

/** The runtime an agent reported in its capabilities (`runner.docker` -> `docker`), or "". */
export const runtimeOfCapabilities = (capabilities: readonly string[]): string =>
  capabilities.find((c) => c.startsWith("runner."))?.slice("runner.".length) ?? "";
export type AgentView = z.infer<typeof AgentView>;

/**
 * Control characters (newlines, tabs, escapes: Unicode Cc) and invisible format characters
 * (bidirectional overrides, zero-width joiners: Cf): never part of a name, and a way to forge
 * lines or reorder text where names are shown or mailed.
 */
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

/** A display name (users, organizations, environments, tokens): trimmed, `min` to `max` long. */
export const displayName = (max: number, min = 0) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((name) => !CONTROL_OR_FORMAT.test(name), {
      message: "must not contain control characters (line breaks, tabs, invisible formatting)",
    });

/** Request bodies of the accounts and tenancy API (strict: unknown fields are refused). */
export const SignupBody = lazySchema(() =>
  z
    .object({
      email: Email,
      password: Password,
      name: displayName(200).optional(),
      /** The token of an invitation to this address: verifying joins its organization instead of creating one. */
      invitation: z.string().min(1).max(200).optional(),
    })
    .strict(),
);

/** What a signed-out invitation link shows about itself (the token is the proof of receipt). */
export const InvitationPreview = lazySchema(() =>
  z.object({
    orgId: Slug,
    orgName: z.string(),
    invitedBy: z.string(),
    role: Role,
    email: z.string(),
    expiresAt: z.string(),
  }),
);
export type InvitationPreview = z.infer<typeof InvitationPreview>;
export const LoginBody = lazySchema(() => z.object({ email: Email, password: Password }).strict());
/** One-time tokens from emails are 43 base64url characters; the bound keeps junk short. */
export const OneTimeTokenBody = lazySchema(() => z.object({ token: z.string().min(1).max(200) }).strict());
export const ResetRequestBody = lazySchema(() => z.object({ email: Email }).strict());
export const ResetConfirmBody = lazySchema(() =>
  z.object({ token: z.string().min(1).max(200), password: Password }).strict(),
);
export const CreateOrgBody = lazySchema(() =>
  z.object({ id: Slug.optional(), name: displayName(200, 1) }).strict(),
);
export const UpdateOrgBody = lazySchema(() =>
  z.object({ name: displayName(200, 1).optional(), plan: PlanName.optional() }).strict(),
);
export const CreateEnvBody = lazySchema(() =>
  z.object({ id: Slug, name: displayName(200, 1).optional() }).strict(),
);
export const UpdateEnvBody = lazySchema(() => z.object({ name: displayName(200, 1) }).strict());
export const InviteBody = lazySchema(() => z.object({ email: Email, role: Role }).strict());
export const SetRoleBody = lazySchema(() => z.object({ role: Role }).strict());
export const CreateApiTokenBody = lazySchema(() =>
  z
    .object({
      name: displayName(100, 1),
      role: Role,
      /** ISO 8601 time after which the token stops working. */
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    })
    .strict(),
);
export const CreateAgentTokenBody = lazySchema(() =>
  z
    .object({
      name: displayName(100, 1),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    })
    .strict(),
);
export const PageQuery = lazySchema(() =>
  z
    .object({
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional(),
    })
    .strict(),
);
