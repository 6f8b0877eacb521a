/**
 * Builds the core services from ports. Composition roots (local, Lambda, ingress container)
 * call this with their adapters; nothing here knows which backend is behind a port.
 */
import { createAgentRuntimes, createContainerAgentsOnline } from "./agent-runtimes.ts";
import { createAgentWork } from "./agent-work.ts";
import { createArtifactReads } from "./artifact-reads.ts";
import { createArtifactService } from "./artifacts.ts";
import { createCredentialSealer } from "./credential-crypto.ts";
import { createCredentialService } from "./credentials.ts";
import { createExecutionService } from "./executions.ts";
import { insightsObserver } from "./insights/emitter.ts";
import { lazyMethods } from "./lazy.ts";
import { createLifecycle, type LifecycleObserver } from "./lifecycle/lifecycle.ts";
import { createLogFollower } from "./log-follow.ts";
import { createLogReads } from "./log-reads.ts";
import { createLogService } from "./logs.ts";
import type { ConcurrencyGroups } from "./ports/concurrency-groups.ts";
import type { CredentialStore } from "./ports/credential-store.ts";
import type { InsightStore } from "./ports/insight-store.ts";
import type { KeyWrapper } from "./ports/key-wrapper.ts";
import { envRefOf } from "./ports/refs.ts";
import type { ScheduleStore } from "./ports/schedule-store.ts";
import type { TemplateStore } from "./ports/template-store.ts";
import type { WebhookSender } from "./ports/webhook-sender.ts";
import type { WebhookStore } from "./ports/webhook-store.ts";
import type {
  Bus,
  Clock,
  ExecutionStore,
  JobQueue,
  Logger,
  ObjectStore,
  OrgStore,
  TokenStore,
  UploadGrants,
  WorkflowStore,
} from "./ports.ts";
import { createReadCache, withCachedReads, withClearingWrites } from "./read-cache.ts";
import { createReaper } from "./reaper.ts";
import { onlineAgentsOf } from "./replicas.ts";
import { createRunSlotGate } from "./run-slots.ts";
import { createScheduleDispatcher } from "./schedules.ts";
import { createSecretBox, withSealedConfig } from "./secret-box.ts";
import { storageLimitsOf } from "./storage-limits.ts";
import { createTemplateService } from "./templates.ts";
import { createTenancy, type TenancyPorts, type TenancySettings } from "./tenancy.ts";
import { createTokenService } from "./tokens.ts";
import { createExecutionViews } from "./waiting.ts";
import { webhookObserver } from "./webhooks/emitter.ts";
import type { WebhookSettings } from "./webhooks/index.ts";
import { lazyWebhooks } from "./webhooks/lazy.ts";
import { createWorkflowSchedules } from "./workflow-schedules.ts";
import { createWorkflowService } from "./workflows.ts";

export interface CorePorts {
  orgs: OrgStore;
  tokens: TokenStore;
  workflows: WorkflowStore;
  executions: ExecutionStore;
  /** The log bucket's objects. */
  logBlobs: ObjectStore;
  /** The artifact bucket's objects. */
  artifactBlobs: ObjectStore;
  /** Presigned transfers of the artifact bucket (agents' uploads, downloads). */
  artifactGrants: UploadGrants;
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
  /** Insights (issue 18): per-day aggregates of finished runs and their tests. */
  insights?: InsightStore;
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
  /** Told of every execution start and end (see lifecycle/transitions.ts, effect `observe`). */
  observers?: LifecycleObserver[];
  /** Delivery attempts, backoff and log retention of webhooks. */
  webhooks?: Partial<WebhookSettings>;
}

export function createCore(unCachedPorts: CorePorts, options: CoreOptions = {}) {
  // Tokens, orgs and environments are read on every request and almost never written.
  const cache = createReadCache(unCachedPorts.clock, options.readCacheTtlMs);
  const rawPorts: CorePorts = {
    ...unCachedPorts,
    orgs: withCachedReads(
      withClearingWrites(unCachedPorts.orgs, cache, [
        "createOrg",
        "createWithOwner",
        "update",
        "markDeleted",
        "createEnv",
        "updateEnv",
        "deleteEnv",
      ]),
      cache,
      "orgs",
      ["getOrg", "getEnv"],
    ),
    tokens: withClearingWrites(unCachedPorts.tokens, cache, ["put", "revoke"]),
  };
  // Whether an environment has an enabled webhook, asked by every status change: cached like
  // the records above, and cleared by this process's webhook writes.
  const listenerCache = createReadCache(unCachedPorts.clock, options.readCacheTtlMs);
  const webhookPorts = unCachedPorts.webhooks && {
    ...unCachedPorts.webhooks,
    store: withClearingWrites(unCachedPorts.webhooks.store, listenerCache, ["put", "delete"]),
  };
  if (webhookPorts) rawPorts.webhooks = webhookPorts;
  // Sensitive config values are sealed before anything is stored and opened on every read.
  const box = options.configKey === undefined ? undefined : createSecretBox(options.configKey);
  const ports: CorePorts = { ...rawPorts, executions: withSealedConfig(rawPorts.executions, box) };
  const { clock, bus, jobs } = ports;
  const logs = createLogService({
    blobs: ports.logBlobs,
    bus,
    clock,
    logLimitOf: async (orgId) => storageLimitsOf((await ports.orgs.getOrg(orgId))?.plan).logBytes,
  });
  // The plan's limits: queued runs hold a queue place, assigned and running ones a run slot.
  const runSlots = createRunSlotGate({
    slots: rawPorts.tenancy.runSlots,
    orgStore: rawPorts.orgs,
    executions: ports.executions,
    clock,
  });
  // Artifact listings, downloads, test reports, upload grants (the one artifact service: the
  // API, the ingress, the unpacking worker and insights all use it).
  const artifacts = createArtifactService({
    blobs: ports.artifactBlobs,
    uploadGrants: ports.artifactGrants,
    jobs,
    orgStore: ports.orgs,
    clock,
  });
  const insightStore = rawPorts.insights;
  const insights = insightStore
    ? // Loaded on the first insights read, job or finished run (the API's cold start skips it).
      lazyMethods({ enqueue: true, job: true, workflow: true, environment: true }, async () =>
        (await import("./insights/service.ts")).createInsights({
          store: insightStore,
          executions: ports.executions,
          report: (ref) => artifacts.report(ref),
          workflowExists: async (env, name) => (await ports.workflows.get(envRefOf(env), name)) !== undefined,
          jobs,
          clock,
          logger: ports.logger,
        }),
      )
    : undefined;
  // Every status change of an execution, with its effects: see lifecycle/transitions.ts.
  const lifecycle = createLifecycle({
    executions: ports.executions,
    runSlots,
    concurrency: ports.concurrency,
    bus,
    jobs,
    clock,
    logger: ports.logger,
    logLength: (ref) => logs.committedOffset(ref),
    // Webhook events are enqueued by the lifecycle's `observe` effect, after the others.
    observers: [
      ...(webhookPorts
        ? [
            webhookObserver({
              jobs: rawPorts.jobs,
              logger: rawPorts.logger,
              hasListeners: async (env) =>
                (await listenerCache.read(`webhooks:${env.orgId}/${env.envId}`, async () =>
                  (await webhookPorts.store.list(envRefOf(env))).some((w) => !w.disabled),
                )) ?? true,
            }),
          ]
        : []),
      ...(insights ? [insightsObserver(insights)] : []),
      ...(options.observers ?? []),
    ],
  });
  const templates = ports.templates
    ? createTemplateService({ templates: ports.templates, clock })
    : undefined;
  const workflows = createWorkflowService({
    workflows: ports.workflows,
    schedules: ports.schedules,
    clock,
    templates,
    runtimes: createAgentRuntimes(ports.tenancy.presence),
    // Read at apply time, when the tenancy below exists.
    dashboardUrl: () => tenancy.settings.publicWebUrl,
  });
  const work = createAgentWork({
    executions: ports.executions,
    lifecycle,
    clock,
    config: options.leaseTtlMs === undefined ? undefined : { leaseTtlMs: options.leaseTtlMs },
  });
  const tokens = createTokenService({ tokens: ports.tokens, clock, cache });
  const sealer = ports.credentials ? createCredentialSealer({ ...ports.credentials, clock }) : undefined;
  const tenancy = createTenancy({
    ports: ports.tenancy,
    orgStore: ports.orgs,
    tokens: ports.tokens,
    issuer: tokens,
    workflows: ports.workflows,
    executions: ports.executions,
    lifecycle,
    jobs,
    clock,
    logger: ports.logger,
    sealer,
    settings: options.tenancy,
  });
  const executions = createExecutionService({
    executions: ports.executions,
    workflows,
    templates,
    runSlots,
    lifecycle,
    bus,
    jobs,
    clock,
    audit: tenancy.audit,
    dashboardUrl: () => tenancy.settings.publicWebUrl,
    onlineAgents: onlineAgentsOf(ports.tenancy.presence, () => clock.now()),
  });
  const credentials =
    ports.credentials && sealer
      ? createCredentialService({ store: ports.credentials.store, sealer, audit: tenancy.audit, clock })
      : undefined;
  const webhooks = ports.webhooks
    ? lazyWebhooks({
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
    /** The ports as wired (tests inspect stored state through them; entries use the services). */
    ports,
    clock,
    bus,
    logger: ports.logger,
    /** Organizations and environments, read through the cache. */
    orgs: ports.orgs,
    /** Background jobs (the retention sweep sends them). */
    jobs,
    /** Where connected agents are recorded for the API. */
    presence: ports.tenancy.presence,
    /** Issued agent identities (the ingress: Register creates them, every hello claims one). */
    agentIdentities: ports.tenancy.agentIdentities,
    /** Agent tokens' "last used" (the ingress records it as their streams are accepted). */
    tokenUsage: ports.tenancy.tokenUsage,
    artifacts,
    // The workers' and the ingress's services below load on first use: the API calls none of them.
    unpacker: lazyMethods({ unpack: true }, async () =>
      (await import("./unpack.ts")).createUnpacker({ blobs: ports.artifactBlobs, artifacts, clock }),
    ),
    tokens,
    workflows,
    templates,
    executions,
    /** Executions as a principal reads them, queued ones with why they wait (the API's). */
    executionViews: createExecutionViews({ executions, presence: ports.tenancy.presence, clock }),
    schedules: ports.schedules
      ? createScheduleDispatcher({ schedules: ports.schedules, executions, clock, logger: ports.logger })
      : undefined,
    /** Schedules as users manage them (list, add, pause, resume); undefined without a store. */
    workflowSchedules: ports.schedules
      ? createWorkflowSchedules({ workflows, schedules: ports.schedules })
      : undefined,
    lifecycle,
    work,
    links: lazyMethods({ open: true }, async () =>
      (await import("./agent-link/agent-link.ts")).createAgentLinks({
        work,
        logs,
        clock,
        // A run that names images goes to a process agent only while no container agent is online.
        containerAgentOnline: createContainerAgentsOnline({ presence: ports.tenancy.presence, clock }),
      }),
    ),
    followLog: createLogFollower({ logs, executions, bus, clock }),
    /** Stored log reads for a principal (the API's). */
    logReads: createLogReads({ logs, executions: ports.executions }),
    /** Artifact reads for a principal (the API's). */
    artifactReads: createArtifactReads({
      artifacts,
      blobs: ports.artifactBlobs,
      grants: ports.artifactGrants,
      executions: ports.executions,
    }),
    reaper: createReaper({ executions: ports.executions, lifecycle, clock, logger: ports.logger }),
    logs,
    credentials,
    /** Credentials released to the agent that holds an execution; undefined without a credential store. */
    credentialRelease: credentials
      ? lazyMethods({ release: true }, async () =>
          (await import("./agent-link/credential-release.ts")).createCredentialRelease({ credentials, work }),
        )
      : undefined,
    /** A running parent's `execute` children, for the agent that runs it. */
    children: lazyMethods({ parent: true, start: true, abort: true, watch: true }, async () =>
      (await import("./agent-link/children.ts")).createChildren({ executions, workflows, work }),
    ),
    tenancy,
    /** Webhook management (API); undefined without webhook ports. */
    webhooks: webhooks?.service,
    /** The webhook job handlers the workers run. */
    webhookJobs: webhooks ? { events: webhooks.eventsJob, delivery: webhooks.deliveryJob } : undefined,
    /** Insights reads (API); undefined without an insight store. */
    insights,
    /** The insights worker job (a no-op without an insight store). */
    insightsJob: insights ? insights.job : async () => {},
  };
}

export type Core = ReturnType<typeof createCore>;
