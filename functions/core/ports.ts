/**
 * The ports of the control plane core: small interfaces the services depend on, implemented by
 * adapters (aws/ for DynamoDB, S3, SQS; nats/ for the bus; local/ for embedded defaults).
 * Core code never imports an adapter; composition roots wire them together.
 *
 * Every store method is scoped by organization (and environment where it applies): tenant
 * isolation is a property of the keys, not of filtering after the fact.
 */
import type {
  Environment,
  Execution,
  ExecutionStatus,
  Organization,
  Page,
  StepState,
  TokenRecord,
  WorkflowRecord,
} from "@assay/shared";

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
  /** A URL that allows one PUT of that key for `expiresInSeconds`. */
  presignPut(key: string, expiresInSeconds: number): Promise<string>;
  /** A URL that allows GET of that key for `expiresInSeconds`. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /** Size in bytes of the object, or undefined when it is missing. */
  head(key: string): Promise<number | undefined>;
  /** The object's bytes as a stream (large objects), or undefined when it is missing. */
  getStream(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Starts a multipart upload of `key`; returns its upload id. Parts are 5 MiB or more, but the last. */
  createMultipart(key: string, options?: { contentType?: string }): Promise<string>;
  /** A URL that allows one PUT of part `partNumber` (1-10000) of the upload for `expiresInSeconds`. */
  presignUploadPart(key: string, uploadId: string, partNumber: number, expiresInSeconds: number): Promise<string>;
  /** Uploads one part from this process; returns the part's ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string>;
  /**
   * Assembles the parts (ascending part numbers, with the ETags their PUTs returned) into the
   * object. Throws `not_found` when the upload does not exist (aborted, or already completed),
   * `invalid_argument` when a part is missing or its ETag differs.
   */
  completeMultipart(key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<void>;
  /** Abandons the upload and its stored parts; a missing upload is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/** The kinds of background jobs; each kind has its own queue (and DLQ) in AWS. */
export type JobKind = "cleanup" | "compact-logs" | "unpack-artifacts" | "retention";

export interface Job {
  kind: JobKind;
  /** Stable id for idempotency (e.g. the execution id). */
  id: string;
  payload: Record<string, string>;
}

export interface JobQueue {
  send(job: Job): Promise<void>;
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
