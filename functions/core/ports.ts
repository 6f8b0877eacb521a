/**
 * The ports of the control plane core: small interfaces the services depend on, implemented by
 * adapters (aws/ for DynamoDB, S3, SQS; nats/ for the bus; local/ for embedded defaults).
 * Core code never imports an adapter; composition roots wire them together.
 *
 * Every store method is scoped by organization (and environment where it applies): tenant
 * isolation is a property of the keys, not of filtering after the fact.
 */
import type {
  AgentPresence,
  AuditEvent,
  Environment,
  Execution,
  ExecutionStatus,
  Membership,
  Organization,
  Page,
  StepState,
  TokenRecord,
  WorkflowRecord,
} from "@assay/shared";
import type { InvitationRecord, OneTimePurpose, OneTimeToken, SessionRecord, UserRecord } from "./records.ts";

/** Wall clock, injected so leases and timeouts are testable. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface TenantStore {
  /** Creates the organization; throws `already_exists` when the id is taken. */
  createOrg(org: Organization): Promise<void>;
  getOrg(orgId: string): Promise<Organization | undefined>;
  /** Creates the environment; throws `already_exists` when the id is taken in that org. */
  createEnv(env: Environment): Promise<void>;
  getEnv(orgId: string, envId: string): Promise<Environment | undefined>;
  listEnvs(orgId: string): Promise<Environment[]>;
  /** Every organization's id (for platform-wide sweeps such as retention); eventually consistent. */
  listOrgIds(): Promise<string[]>;
}

export interface TokenStore {
  /** Stores a new token record; `hash` is unique. */
  put(token: TokenRecord): Promise<void>;
  /** Looks a token up by the SHA-256 (hex) of its secret. */
  getByHash(hash: string): Promise<TokenRecord | undefined>;
  listByOrg(orgId: string): Promise<TokenRecord[]>;
  /** Marks a token revoked; returns false when no such token exists in that org. */
  revoke(orgId: string, tokenId: string, revokedAt: string): Promise<boolean>;
}

export interface WorkflowStore {
  /**
   * Creates or replaces a workflow. With `expectedVersion`, the write succeeds only if the
   * stored version matches (0 = must not exist), else throws `aborted`.
   */
  put(workflow: WorkflowRecord, expectedVersion?: number): Promise<void>;
  get(orgId: string, envId: string, name: string): Promise<WorkflowRecord | undefined>;
  list(orgId: string, envId: string): Promise<WorkflowRecord[]>;
  delete(orgId: string, envId: string, name: string): Promise<boolean>;
}

export interface ExecutionFilter {
  workflow?: string;
  status?: ExecutionStatus;
  /** Only executions carrying all these tags. */
  tags?: Record<string, string>;
}

/** A conditional state transition; `from` lists the statuses the execution may be in. */
export interface ExecutionTransition {
  from: readonly ExecutionStatus[];
  set: Partial<Omit<Execution, "id" | "orgId" | "envId" | "workflowName" | "createdAt" | "specYaml">>;
  /** When set, the execution must also be held by this agent. */
  agentId?: string;
  /** When set, the execution's lease must have expired before this time (epoch ms). */
  leaseExpiredBeforeMs?: number;
}

/** Where an execution lives: enough to address it in every store. */
export interface ExecutionRef {
  orgId: string;
  envId: string;
  id: string;
}

export interface ExecutionStore {
  /** Creates a queued execution; throws `already_exists` if the id exists. */
  create(execution: Execution): Promise<void>;
  get(orgId: string, envId: string, id: string): Promise<Execution | undefined>;
  /** Newest first, cursor paginated, optional filters. `limit` defaults to 50. */
  list(
    orgId: string,
    envId: string,
    filter: ExecutionFilter,
    page: { limit: number; cursor?: string },
  ): Promise<Page<Execution>>;
  /** Oldest first: executions of the environment in status `queued`, at most `limit`. */
  listQueued(orgId: string, envId: string, limit: number): Promise<Execution[]>;
  /** Executions in `assigned` or `running` held by this agent. */
  listActiveForAgent(orgId: string, envId: string, agentId: string): Promise<Execution[]>;
  /**
   * Applies the transition if the current status is in `from` (and the agent matches);
   * returns the updated execution, or undefined when the condition failed.
   */
  transition(
    orgId: string,
    envId: string,
    id: string,
    t: ExecutionTransition,
  ): Promise<Execution | undefined>;
  /** Replaces one step's state (by ref) in a non-terminal execution. */
  updateStep(orgId: string, envId: string, id: string, step: StepState): Promise<void>;
  /**
   * Active executions (any organization) whose lease expired before `nowMs`, oldest lease
   * first, at most `limit`. For the lost-execution reaper; eventually consistent in AWS.
   */
  listExpiredLeases(nowMs: number, limit: number): Promise<ExecutionRef[]>;
  /** Raises `logBytes` to `committed` if it is lower (never lowers it). */
  recordLogBytes(orgId: string, envId: string, id: string, committed: number): Promise<void>;
  delete(orgId: string, envId: string, id: string): Promise<boolean>;
}

/** Object storage for logs and artifacts. Keys are `/`-separated, without a leading slash. */
export interface BlobStore {
  put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void>;
  /** Whole object, or undefined if missing. `range` is an inclusive-exclusive byte range. */
  get(key: string, range?: { start: number; end?: number }): Promise<Uint8Array | undefined>;
  /** All keys under a prefix, in lexicographic order, with sizes in bytes. */
  list(prefix: string): Promise<Array<{ key: string; size: number }>>;
  /** Deletes the keys (missing keys are fine). */
  delete(keys: string[]): Promise<void>;
  /**
   * A URL that allows one PUT of that key for `expiresInSeconds`; with `contentLength`, only of
   * a body of exactly that many bytes (the length is signed).
   */
  presignPut(key: string, expiresInSeconds: number, options?: { contentLength?: number }): Promise<string>;
  /** A URL that allows GET of that key for `expiresInSeconds`. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /** Size in bytes of the object, or undefined when it is missing. */
  head(key: string): Promise<number | undefined>;
  /** The object's bytes as a stream (large objects), or undefined when it is missing. */
  getStream(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Starts a multipart upload of `key`; returns its upload id. Parts are 5 MiB or more, but the last. */
  createMultipart(key: string, options?: { contentType?: string }): Promise<string>;
  /** A URL that allows one PUT of part `partNumber` (1-10000) of the upload for `expiresInSeconds`. */
  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSeconds: number,
  ): Promise<string>;
  /** Uploads one part from this process; returns the part's ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string>;
  /**
   * Assembles the parts (ascending part numbers, with the ETags their PUTs returned) into the
   * object. Throws `not_found` when the upload does not exist (aborted, or already completed),
   * `invalid_argument` when a part is missing or its ETag differs.
   */
  completeMultipart(
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<void>;
  /** Abandons the upload and its stored parts; a missing upload is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/** The kinds of background jobs; each kind has its own queue (and DLQ) in AWS. */
export type JobKind =
  | "cleanup"
  | "compact-logs"
  | "unpack-artifacts"
  | "retention"
  | "webhook-events"
  | "webhook-delivery"
  | "insights";

export interface Job {
  kind: JobKind;
  /** Stable id for idempotency (e.g. the execution id). */
  id: string;
  payload: Record<string, string>;
}

export interface JobQueue {
  /** Enqueues a job; with `delaySeconds` (0-900) it becomes visible only after that delay. */
  send(job: Job, options?: { delaySeconds?: number }): Promise<void>;
}

/** A message received from the bus. */
export interface BusMessage {
  subject: string;
  data: Uint8Array;
}

/**
 * Live signals (core NATS semantics: at most once, no persistence). Losing a message costs
 * latency, never data: every consumer has a storage-backed fallback.
 * Subjects: `env.{org}.{env}.work`, `exec.{id}.log`, `exec.{id}.status`.
 */
export interface Bus {
  publish(subject: string, data: Uint8Array): Promise<void>;
  /** Subscribes to a subject (`*` matches one token, `>` the rest); returns an unsubscribe. */
  subscribe(subject: string, handler: (message: BusMessage) => void): Promise<() => void>;
  close(): Promise<void>;
}

/** Structured logger (pino-compatible subset). Never pass secrets or tokens. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}

// ---------------------------------------------------------------------------------------------
// Accounts and tenancy ports. Times are ISO 8601 strings unless a name says otherwise; stores
// derive their TTL attributes from the records' own expiry times.
// ---------------------------------------------------------------------------------------------

export interface UserStore {
  /** Creates the user and claims its email; throws `already_exists` when the email is taken. */
  create(user: UserRecord): Promise<void>;
  get(userId: string): Promise<UserRecord | undefined>;
  /** By normalized (lower-case) email. */
  getByEmail(email: string): Promise<UserRecord | undefined>;
  /** Replaces the password hash; throws `not_found` for a missing user. */
  setPassword(userId: string, passwordHash: string, changedAt: string): Promise<void>;
}

export interface SessionStore {
  put(session: SessionRecord): Promise<void>;
  /** By the SHA-256 (hex) of the cookie value; expired sessions may still be returned. */
  get(hash: string): Promise<SessionRecord | undefined>;
  delete(hash: string): Promise<void>;
  /** Ends every session of a user (password reset). */
  deleteAllForUser(userId: string): Promise<void>;
}

export interface OneTimeTokenStore {
  /**
   * Stores the token as the only usable one of its purpose for its email: every token stored
   * before for the same purpose and email can no longer be consumed.
   */
  put(token: OneTimeToken): Promise<void>;
  get(hash: string): Promise<OneTimeToken | undefined>;
  /**
   * Atomically deletes and returns the token when it exists, has this purpose, expires after
   * `now` and is the latest of its purpose for its email; otherwise undefined. A token can be
   * consumed once, even by concurrent callers, and consuming it retires all older ones too.
   */
  consume(hash: string, purpose: OneTimePurpose, now: string): Promise<OneTimeToken | undefined>;
}

/**
 * Organization lifecycle beyond TenantStore: atomic creation with the first owner, counters kept
 * on the org item (environments, owners) so limits hold under concurrency, and deletion.
 */
export interface OrgStore {
  /** Creates the org and its owner's membership together; `already_exists` if the id is taken. */
  createWithOwner(org: Organization, owner: Membership): Promise<void>;
  /** Renames or changes the plan; a plan whose environment limit is below the count is refused. */
  update(
    orgId: string,
    patch: { name?: string; plan?: string },
    limits: { environments: number },
  ): Promise<Organization | undefined>;
  /** Marks the org deleted (its slug stays reserved). */
  markDeleted(orgId: string, at: string): Promise<void>;
  /** Creates an environment unless the org already has `limit` (`resource_exhausted`). */
  createEnv(env: Environment, limit: number): Promise<void>;
  updateEnv(
    orgId: string,
    envId: string,
    patch: { name: string },
    at: string,
  ): Promise<Environment | undefined>;
  /** Deletes the environment item and lowers the count; false when it did not exist. */
  deleteEnv(orgId: string, envId: string): Promise<boolean>;
}

export interface MemberStore {
  get(orgId: string, userId: string): Promise<Membership | undefined>;
  listByOrg(orgId: string): Promise<Membership[]>;
  /** The organizations a user belongs to (eventually consistent in AWS). */
  listByUser(userId: string): Promise<Membership[]>;
  /**
   * Changes a role. Demoting the last owner throws `failed_precondition`. Returns undefined when
   * the user is not a member.
   */
  setRole(orgId: string, userId: string, role: Membership["role"]): Promise<Membership | undefined>;
  /** Removes a member; removing the last owner throws `failed_precondition`. */
  remove(orgId: string, userId: string): Promise<boolean>;
  /** Removes every membership of a deleted organization (no owner check). */
  purge(orgId: string): Promise<void>;
}

export interface InvitationStore {
  put(invitation: InvitationRecord): Promise<void>;
  getByHash(hash: string): Promise<InvitationRecord | undefined>;
  listByOrg(orgId: string): Promise<InvitationRecord[]>;
  /** Deletes an invitation of that org; false when there is none. */
  revoke(orgId: string, invitationId: string): Promise<boolean>;
  /**
   * Atomically consumes the (unexpired at `now`) invitation and adds the membership. Returns
   * false when the invitation is gone or expired; throws `already_exists` when already a member.
   */
  accept(hash: string, member: Membership, now: string): Promise<boolean>;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /** Newest first; `cursor` is opaque. */
  list(orgId: string, page: { limit: number; cursor?: string }): Promise<Page<AuditEvent>>;
}

export interface RateLimiter {
  /**
   * Counts one hit on `key` in the fixed window of `windowSeconds` containing `nowMs`. Returns
   * whether the count is within `limit`, and the seconds until that window ends.
   */
  hit(
    key: string,
    limit: number,
    windowSeconds: number,
    nowMs: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends email (SES in AWS, an outbox shown at `GET /v1/dev/outbox` locally). */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/** An agent identity the control plane issued (the secret only as its hash). */
export interface AgentIdentity {
  orgId: string;
  envId: string;
  agentId: string;
  /** SHA-256 (hex) of the agent secret. */
  secretHash: string;
  hostname: string;
  createdAt: string;
}

/** Why a claim of an identity was refused. */
export type AgentClaimRefusal =
  | { reason: "unknown" }
  | { reason: "bad_secret" }
  | { reason: "held"; hostname: string; since: string };

/**
 * Agent identities issued at registration, and which agent process holds each one now. A claim
 * is exclusive: one process (instance id) at a time, until it releases the claim (its stream
 * ended) or the claim lapses (`heldUntilMs`, for an ingress that vanished without releasing).
 */
export interface AgentIdentityStore {
  /** Stores a new identity (ids are random: an existing one is `already_exists`). */
  create(identity: AgentIdentity): Promise<void>;
  /**
   * Claims the identity for `instanceId` (one stream `sessionId`) if the secret matches and no
   * other instance holds an unlapsed claim; a claim by the same instance is renewed.
   */
  claim(input: {
    orgId: string;
    envId: string;
    agentId: string;
    secretHash: string;
    instanceId: string;
    sessionId: string;
    hostname: string;
    nowMs: number;
    heldUntilMs: number;
  }): Promise<{ ok: true } | ({ ok: false } & AgentClaimRefusal)>;
  /** Releases the claim if stream `sessionId` still holds it (a no-op otherwise). */
  release(orgId: string, envId: string, agentId: string, sessionId: string): Promise<void>;
}

/**
 * Where agents are connected, written by the ingress (API Lambdas cannot see its memory). One
 * item per agent id; a newer session of the same agent replaces an older one.
 */
export interface AgentPresenceStore {
  connected(presence: AgentPresence): Promise<void>;
  /** Records a heartbeat of that session (ignored when a newer session replaced it). */
  heartbeat(orgId: string, envId: string, agentId: string, sessionId: string, at: string): Promise<void>;
  /** Records the end of that session (ignored when a newer session replaced it). */
  disconnected(orgId: string, envId: string, agentId: string, sessionId: string, at: string): Promise<void>;
  /**
   * Writes the presence of many connected agents at once, whole records in batches (the
   * ingress's periodic refresh: one call for thousands of agents instead of one write each).
   * Unconditional, so while an agent's replaced stream is still open elsewhere its record may
   * flip between the two sessions until the old stream ends.
   */
  record(presences: AgentPresence[]): Promise<void>;
  list(orgId: string, envId: string): Promise<AgentPresence[]>;
}

/** Counts an organization's active (queued, assigned, running) executions against its plan. */
/** The two kinds of run holds of an organization: runs that wait, runs that hold an agent. */
export type RunPool = "queued" | "running";

/**
 * Holds of an organization's runs against its plan: a set of holder ids per pool (the
 * executions as `{envId}/{executionId}`), so taking and giving back are idempotent and a
 * holder that should no longer hold can be spotted by comparing with execution statuses.
 */
export interface RunSlots {
  /** Adds `holder` unless `limit` others hold the pool; true when it holds (also when it already did). */
  acquire(orgId: string, pool: RunPool, holder: string, limit: number): Promise<boolean>;
  /** Removes `holder` (a no-op when it holds nothing). */
  release(orgId: string, pool: RunPool, holder: string): Promise<void>;
  /** Every holder of the pool. */
  holders(orgId: string, pool: RunPool): Promise<string[]>;
}

/** Records when a token was last used, at most once per `minIntervalSeconds`. */
export interface TokenUsageStore {
  touch(hash: string, at: string, minIntervalSeconds: number): Promise<void>;
}
