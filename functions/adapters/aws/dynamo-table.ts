/**
 * The single DynamoDB table of Assay, as plain data (no AWS SDK import) so the CDK stack and the
 * local bootstrap build the very same table, plus the key builders every store uses.
 *
 * Key design. Every key is scoped by organization, so tenant isolation is a property of the keys:
 * a query can only ever read the org it names. Slugs and ULIDs contain no `#`, so `#` separates
 * parts unambiguously.
 *
 * | item        | pk                      | sk          | indexes                                   |
 * |-------------|-------------------------|-------------|-------------------------------------------|
 * | org         | ORG#{org}               | ORG         |                                           |
 * | environment | ORG#{org}               | ENV#{env}   |                                           |
 * | workflow    | ORG#{org}#ENV#{env}     | WF#{name}   |                                           |
 * | execution   | ORG#{org}#ENV#{env}     | EX#{ulid}   | GSI1 by workflow; GSI2 queue; GSI3 agent  |
 * | run number  | ORG#{org}#ENV#{env}     | RUNNO#{workflow} | the workflow's last run number (ADD) |
 * | token       | TOKEN#{sha256 hex}      | TOKEN       | GSI1 per org                              |
 * | user        | USER#{id}               | USER        |                                           |
 * | email claim | EMAIL#{email}           | EMAIL       |                                           |
 * | session     | SESSION#{sha256 hex}    | SESSION     | GSI1 per user; TTL                        |
 * | email token | ONETIME#{sha256 hex}    | ONETIME     | TTL                                       |
 * | newest token| ONETIME#LATEST#{purpose}#{sha256 of email} | ONETIME | TTL (names the usable token) |
 * | member      | ORG#{org}               | MEMBER#{id} | GSI1 per user (`USER#{id}#ORGS`)          |
 * | invitation  | INVITE#{sha256 hex}     | INVITE      | GSI1 per org; TTL                         |
 * | audit event | ORG#{org}#AUDIT         | {ulid}      | TTL                                       |
 * | rate window | RATE#{key}              | {window}    | TTL                                       |
 * | agent       | ORG#{org}#ENV#{env}     | AGENT#{id}  | TTL                                       |
 * | run slots   | ORG#{org}               | RUNS        |                                           |
 * | template    | ORG#{org}#ENV#{env}     | TPL#{name}  |                                           |
 * | schedule    | SCHEDULES               | {org}#{env}#{workflow} |                                |
 * | cron tick   | ORG#{org}#ENV#{env}     | TICK#{workflow}#{job}#{iso} | TTL                       |
 * | conc. group | ORG#{org}#ENV#{env}     | CONC#{group} |                                          |
 * | credential  | ORG#{org}#CRED          | O#{name} or E#{env}#{name} | sealed value               |
 * | data key    | ORG#{org}#CRED          | KEY         | the org's wrapped data key                |
 * | webhook     | ORG#{org}#ENV#{env}     | HOOK#{name} |                                           |
 * | delivery    | ORG#{org}#ENV#{env}#HOOK#{name} | {ulid} | TTL                                     |
 * | SSO config  | ORG#{org}#SSO           | CONFIG      | sealed client secret (dynamo-sso-store.ts) |
 * | SSO domain  | SSODOMAIN#{domain}      | SSODOMAIN   | the org that claimed the email domain     |
 * | SSO pending | SSOPENDING#{sha256 hex} | SSOPENDING  | TTL; a sign-in or account link underway   |
 * | SSO identity| SSOID#{sha256(iss, sub)}| SSOID       | the account a provider identity signs in to |
 *
 * Accounts: users are global (one account, many orgs); everything an org owns is under its key.
 * The org item also carries counters (`envCount`, `ownerCount`) updated in the same transaction
 * as the items they count, so plan limits and "keep one owner" hold under concurrency.
 *
 * - Executions list newest first with `ScanIndexForward=false` on `begins_with(sk, "EX#")`
 *   (ULIDs sort by time); reading the base table keeps the list strongly consistent.
 * - GSI1 `gsi1pk=ORG#{org}#ENV#{env}#WF#{name}`, `gsi1sk=EX#{ulid}`: executions of one workflow.
 *   Tokens reuse it: `gsi1pk=ORG#{org}#TOKENS`, `gsi1sk=TOKEN#{id}`.
 * - GSI2 (sparse) `gsi2pk=QUEUE#{org}#{env}`, `gsi2sk={ulid}`: set only while status=queued,
 *   so the queue index holds exactly the waiting work, oldest first.
 * - GSI3 (sparse) `gsi3pk=AGENT#{org}#{env}#{agentId}`, `gsi3sk=EX#{ulid}`: set only while
 *   assigned/running, for "what does this agent hold" after a reconnect.
 * - GSI4 (sparse) `gsi4pk=LEASES#{shard}`, `gsi4sk={leaseExpiresAtMs, 15 digits}#{org}#{env}#{ulid}`:
 *   set while an execution holds a lease, for the lost-execution reaper. It is the one index that
 *   spans organizations (the reaper serves them all); 16 shards spread lease renewals, which
 *   arrive with every agent heartbeat, over partitions.
 * - Schedules are the other cross-tenant item: the dispatcher must find every scheduled workflow
 *   without scanning the table. One partition read per minute; each item names its org and env.
 * - Tokens are the one item keyed by something other than the org: the secret's hash is all a
 *   caller presents. The record carries its org and environment, which callers must check.
 *
 * Throughput: one environment's executions share a partition key. The table has no LSI, so
 * DynamoDB may split that item collection by sort key range under sustained load ("split for
 * heat"); hot per-execution counters (`logBytes`) should still be updated per committed chunk,
 * not per line. Indexes project ALL attributes: every reader needs whole executions and the
 * extra storage is cheaper than a second round trip.
 */

export const GSI1 = "gsi1";
export const GSI2 = "gsi2";
export const GSI3 = "gsi3";
export const GSI4 = "gsi4";
/** Shards of the lease index (GSI4). */
export const LEASE_SHARDS = 16;

/** The table definition: attributes, key schema and global secondary indexes. */
export const TABLE_DEFINITION = {
  attributeDefinitions: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
    { name: "gsi1pk", type: "S" },
    { name: "gsi1sk", type: "S" },
    { name: "gsi2pk", type: "S" },
    { name: "gsi2sk", type: "S" },
    { name: "gsi3pk", type: "S" },
    { name: "gsi3sk", type: "S" },
    { name: "gsi4pk", type: "S" },
    { name: "gsi4sk", type: "S" },
  ],
  partitionKey: "pk",
  sortKey: "sk",
  globalSecondaryIndexes: [
    { indexName: GSI1, partitionKey: "gsi1pk", sortKey: "gsi1sk", projection: "ALL" },
    { indexName: GSI2, partitionKey: "gsi2pk", sortKey: "gsi2sk", projection: "ALL" },
    { indexName: GSI3, partitionKey: "gsi3pk", sortKey: "gsi3sk", projection: "ALL" },
    { indexName: GSI4, partitionKey: "gsi4pk", sortKey: "gsi4sk", projection: "KEYS_ONLY" },
  ],
  billingMode: "PAY_PER_REQUEST",
  /** Attribute holding an epoch-seconds expiry, for the TTL rule (sessions, tokens, audit...). */
  timeToLiveAttribute: "ttl",
} as const;

/** Key attribute names that are never part of a domain item. */
export const KEY_ATTRIBUTES = [
  "pk",
  "sk",
  "gsi1pk",
  "gsi1sk",
  "gsi2pk",
  "gsi2sk",
  "gsi3pk",
  "gsi3sk",
  "gsi4pk",
  "gsi4sk",
  "entity",
] as const;

/** Builders for every key; the only place key strings are spelled. */
export const keys = {
  org: (org: string) => ({ pk: `ORG#${org}`, sk: "ORG" }),
  envPrefix: "ENV#",
  env: (org: string, env: string) => ({ pk: `ORG#${org}`, sk: `ENV#${env}` }),
  envPartition: (org: string, env: string) => `ORG#${org}#ENV#${env}`,
  workflowPrefix: "WF#",
  workflow: (org: string, env: string, name: string) => ({
    pk: `ORG#${org}#ENV#${env}`,
    sk: `WF#${name}`,
  }),
  executionPrefix: "EX#",
  execution: (org: string, env: string, id: string) => ({ pk: `ORG#${org}#ENV#${env}`, sk: `EX#${id}` }),
  executionsByWorkflow: (org: string, env: string, workflow: string) =>
    `ORG#${org}#ENV#${env}#WF#${workflow}`,
  runNumber: (org: string, env: string, workflow: string) => ({
    pk: `ORG#${org}#ENV#${env}`,
    sk: `RUNNO#${workflow}`,
  }),
  queue: (org: string, env: string) => `QUEUE#${org}#${env}`,
  agent: (org: string, env: string, agentId: string) => `AGENT#${org}#${env}#${agentId}`,
  leaseShard: (shard: number) => `LEASES#${shard}`,
  /** Sorts by expiry; the rest addresses the execution. */
  leaseSort: (expiresAtMs: number, org: string, env: string, id: string) =>
    `${String(expiresAtMs).padStart(15, "0")}#${org}#${env}#${id}`,
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: "TOKEN" }),
  tokensOfOrg: (org: string) => `ORG#${org}#TOKENS`,
  tokenInOrg: (id: string) => `TOKEN#${id}`,
  /** GSI1 partition listing every organization (for platform-wide sweeps such as retention). */
  allOrgs: "ORGS",
  user: (id: string) => ({ pk: `USER#${id}`, sk: "USER" }),
  email: (email: string) => ({ pk: `EMAIL#${email}`, sk: "EMAIL" }),
  session: (hash: string) => ({ pk: `SESSION#${hash}`, sk: "SESSION" }),
  sessionsOfUser: (userId: string) => `USER#${userId}#SESSIONS`,
  oneTime: (hash: string) => ({ pk: `ONETIME#${hash}`, sk: "ONETIME" }),
  memberPrefix: "MEMBER#",
  member: (org: string, userId: string) => ({ pk: `ORG#${org}`, sk: `MEMBER#${userId}` }),
  orgsOfUser: (userId: string) => `USER#${userId}#ORGS`,
  invitation: (hash: string) => ({ pk: `INVITE#${hash}`, sk: "INVITE" }),
  invitationsOfOrg: (org: string) => `ORG#${org}#INVITES`,
  invitationInOrg: (id: string) => `INVITE#${id}`,
  auditPartition: (org: string) => `ORG#${org}#AUDIT`,
  credentialPartition: (org: string) => `ORG#${org}#CRED`,
  rate: (key: string, windowStart: number) => ({ pk: `RATE#${key}`, sk: String(windowStart) }),
  agentPrefix: "AGENT#",
  agentPresence: (org: string, env: string, agentId: string) => ({
    pk: `ORG#${org}#ENV#${env}`,
    sk: `AGENT#${agentId}`,
  }),
  /** One partition per agent identity: a fleet's reconnect storm spreads over many keys. */
  agentIdentity: (org: string, env: string, agentId: string) => ({
    pk: `ORG#${org}#ENV#${env}#AGENT#${agentId}`,
    sk: "IDENTITY",
  }),
  runSlots: (org: string, pool: string) => ({ pk: `ORG#${org}`, sk: `RUNS#${pool}` }),
  templatePrefix: "TPL#",
  template: (org: string, env: string, name: string) => ({ pk: `ORG#${org}#ENV#${env}`, sk: `TPL#${name}` }),
  schedulesPartition: "SCHEDULES",
  schedule: (org: string, env: string, workflow: string) => ({
    pk: "SCHEDULES",
    sk: `${org}#${env}#${workflow}`,
  }),
  scheduleTick: (org: string, env: string, workflow: string, job: number, tick: string) => ({
    pk: `ORG#${org}#ENV#${env}`,
    sk: `TICK#${workflow}#${job}#${tick}`,
  }),
  webhookPrefix: "HOOK#",
  webhook: (org: string, env: string, name: string) => ({ pk: `ORG#${org}#ENV#${env}`, sk: `HOOK#${name}` }),
  deliveries: (org: string, env: string, name: string) => `ORG#${org}#ENV#${env}#HOOK#${name}`,
  concurrencyGroup: (org: string, env: string, group: string) => ({
    pk: `ORG#${org}#ENV#${env}`,
    sk: `CONC#${group}`,
  }),
} as const;
