/**
 * Builds the core services from ports. Composition roots (local, Lambda, ingress container)
 * call this with their adapters; nothing here knows which backend is behind a port.
 */
import { createAgentWork } from "./agent-work.ts";
import { createAuditLog } from "./audit.ts";
import { withConcurrencyRelease } from "./concurrency.ts";
import { createCredentialSealer } from "./credential-crypto.ts";
import type { CredentialStore, KeyWrapper } from "./credential-ports.ts";
import { createCredentialService } from "./credentials.ts";
import { createExecutionService } from "./executions.ts";
import { createLogService } from "./logs.ts";
import type {
  BlobStore,
  Bus,
  Clock,
  ExecutionStore,
  JobQueue,
  Logger,
  TenantStore,
  TokenStore,
  WorkflowStore,
} from "./ports.ts";
import { createReadCache, withCachedReads, withClearingWrites } from "./read-cache.ts";
import { createRunSlotGate, withRunSlots } from "./run-slots.ts";
import { createScheduleDispatcher } from "./schedules.ts";
import { createSecretBox, withSealedConfig } from "./secret-box.ts";
import { storageLimitsOf } from "./storage-limits.ts";
import { createTemplateService } from "./templates.ts";
import { createTenancy, type TenancyPorts, type TenancySettings } from "./tenancy.ts";
import { createTokenService } from "./tokens.ts";
import { withWebhookEvents } from "./webhooks/emitter.ts";
import { createWebhooks, type WebhookSettings } from "./webhooks/index.ts";
import type { WebhookSender, WebhookStore } from "./webhooks/ports.ts";
import type { ConcurrencyGroups, ScheduleStore, TemplateStore } from "./workflow-ports.ts";
import { createWorkflowService } from "./workflows.ts";

export interface CorePorts {
  tenants: TenantStore;
  tokens: TokenStore;
  workflows: WorkflowStore;
  executions: ExecutionStore;
  logBlobs: BlobStore;
  artifactBlobs: BlobStore;
  bus: Bus;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
  /** Accounts, orgs, members, sessions, audit, rate limits, presence, mail. */
  tenancy: TenancyPorts;
  /** Workflow engine (issue 4): templates, cron schedules, concurrency groups. */
  templates?: TemplateStore;
  schedules?: ScheduleStore;
  concurrency?: ConcurrencyGroups;
  /** Organization and environment credentials (issue 17); without them the routes refuse. */
  credentials?: { store: CredentialStore; keys: KeyWrapper };
  /** Webhooks (issue 19): their store and the outbound HTTP sender; both or neither. */
  webhooks?: { store: WebhookStore; sender: WebhookSender };
}

export interface CoreOptions {
  /** Public URLs, agent package/image and rate limits of the accounts layer. */
  tenancy?: Partial<TenancySettings>;
  /** 32-byte key sealing sensitive config values at rest (AES-256-GCM); see secret-box.ts. */
  configKey?: Uint8Array;
  /** How long an execution's lease lasts without a heartbeat, in milliseconds (default 90 s). */
  leaseTtlMs?: number;
  /**
   * How long tokens, organizations and environments read by this process are remembered
   * (read-cache.ts; default 5 s, 0 = not at all). Writes through this core clear it at once.
   */
  readCacheTtlMs?: number;
  /** Delivery attempts, backoff and log retention of webhooks. */
  webhooks?: Partial<WebhookSettings>;
}

export function createCore(unCachedPorts: CorePorts, options: CoreOptions = {}) {
  // Tokens, orgs and environments are read on every request and almost never written.
  const cache = createReadCache(unCachedPorts.clock, options.readCacheTtlMs);
  const rawPorts: CorePorts = {
    ...unCachedPorts,
    tenants: withCachedReads(
      withClearingWrites(unCachedPorts.tenants, cache, ["createOrg", "createEnv"]),
      cache,
      "tenants",
      ["getOrg", "getEnv"],
    ),
    tokens: withClearingWrites(unCachedPorts.tokens, cache, ["put", "revoke"]),
    tenancy: {
      ...unCachedPorts.tenancy,
      orgs: withClearingWrites(unCachedPorts.tenancy.orgs, cache, [
        "createWithOwner",
        "update",
        "markDeleted",
        "createEnv",
        "updateEnv",
        "deleteEnv",
      ]),
    },
  };
  // The plan's concurrency limit: runs take a slot at start, terminal transitions give it back.
  const runSlots = createRunSlotGate({ slots: rawPorts.tenancy.runSlots, tenants: rawPorts.tenants });
  const executionStore = withRunSlots(rawPorts.executions, { slots: rawPorts.tenancy.runSlots });
  // Slots of `spec.concurrency` groups are released by the same transitions; sensitive config
  // values are sealed before anything is stored and opened on every read.
  const box = options.configKey === undefined ? undefined : createSecretBox(options.configKey);
  const sealedStore = withSealedConfig(withConcurrencyRelease(executionStore, rawPorts.concurrency), box);
  // Lifecycle events for webhooks are enqueued after every other effect of a transition.
  const engineStore = rawPorts.webhooks
    ? withWebhookEvents(sealedStore, { jobs: rawPorts.jobs, logger: rawPorts.logger })
    : sealedStore;
  const ports: CorePorts = { ...rawPorts, executions: engineStore };
  const { clock, bus, jobs } = ports;
  const workflows = createWorkflowService({ workflows: ports.workflows, schedules: ports.schedules, clock });
  const templates = ports.templates
    ? createTemplateService({ templates: ports.templates, clock })
    : undefined;
  const executions = createExecutionService({
    executions: ports.executions,
    workflows,
    templates,
    runSlots,
    bus,
    jobs,
    clock,
  });
  const tokens = createTokenService({ tokens: ports.tokens, clock, cache });
  const tenancy = createTenancy({
    ports: ports.tenancy,
    tenants: ports.tenants,
    tokens: ports.tokens,
    issuer: tokens,
    workflows: ports.workflows,
    executions: ports.executions,
    jobs,
    clock,
    logger: ports.logger,
    settings: options.tenancy,
  });
  const webhooks = ports.webhooks
    ? createWebhooks({
        ...ports.webhooks,
        executions: ports.executions,
        workflows: ports.workflows,
        jobs,
        clock,
        logger: ports.logger,
        audit: tenancy.audit,
        box,
        // Read at delivery time: local mode learns its URL only once it listens.
        publicWebUrl: () => tenancy.settings.publicWebUrl,
        settings: options.webhooks,
      })
    : undefined;
  return {
    ports,
    tokens,
    workflows,
    templates,
    executions,
    schedules: ports.schedules
      ? createScheduleDispatcher({ schedules: ports.schedules, executions, clock, logger: ports.logger })
      : undefined,
    work: createAgentWork({
      executions: ports.executions,
      concurrency: ports.concurrency,
      bus,
      jobs,
      clock,
      config: options.leaseTtlMs === undefined ? undefined : { leaseTtlMs: options.leaseTtlMs },
    }),
    logs: createLogService({
      blobs: ports.logBlobs,
      bus,
      logLimitOf: async (orgId) => storageLimitsOf((await ports.tenants.getOrg(orgId))?.plan).logBytes,
    }),
    credentials: ports.credentials
      ? createCredentialService({
          store: ports.credentials.store,
          sealer: createCredentialSealer({ ...ports.credentials, clock }),
          audit: createAuditLog({ audit: ports.tenancy.audit, clock, logger: ports.logger }),
          clock,
        })
      : undefined,
    tenancy,
    /** Webhook management (API); undefined without webhook ports. */
    webhooks: webhooks?.service,
    /** The webhook job handlers the workers run. */
    webhookJobs: webhooks ? { events: webhooks.eventsJob, delivery: webhooks.deliveryJob } : undefined,
  };
}

export type Core = ReturnType<typeof createCore>;
