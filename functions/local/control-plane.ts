/**
 * The whole control plane in one process on embedded stand-ins: DynamoDB Local (child java
 * process), fauxqs for S3 and SQS (in-process), an in-process bus (or NATS when a URL is
 * given), the ingress with a self-signed TLS certificate, the HTTP API, and the SQS workers fed
 * by long-polling consumers exactly as Lambda would feed them. `npm start` and the end-to-end
 * tests both use this.
 */
import { mkdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { every } from "@assay/shared";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createDynamoStores } from "../adapters/aws/dynamo-stores.ts";
import { createTableIfMissing } from "../adapters/aws/dynamo-table-setup.ts";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { createSqsJobQueue, JOB_KINDS } from "../adapters/aws/sqs-job-queue.ts";
import { createOpenIdClient } from "../adapters/http/openid-client.ts";
import { createWebhookSender } from "../adapters/http/webhook-sender.ts";
import { startDynamoDbLocal } from "../adapters/local/dynamodb-local.ts";
import { ensureLocalQueues, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { createLocalKeyWrapper } from "../adapters/local/local-key-wrapper.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createOutboxMailer } from "../adapters/local/outbox-mailer.ts";
import { startSqsPoller } from "../adapters/local/sqs-poller.ts";
import { createNatsBus } from "../adapters/nats/nats-bus.ts";
import { buildApi } from "../api/build-api.ts";
import { createCore } from "../core/index.ts";
import { AGENT_TARBALL_PATH } from "../core/install.ts";
import { type Clock, type Logger, systemClock } from "../core/ports.ts";
import type { TenancySettings } from "../core/tenancy.ts";
import type { WebhookSettings } from "../core/webhooks/index.ts";
import { type GatewayConfig, listenGateway } from "../ingress/agent-gateway.ts";
import { buildIngress } from "../ingress/build-ingress.ts";
import { ensureSelfSignedCertificate } from "../ingress/tls.ts";
import { createJobHandlers } from "../worker/job-handlers.ts";
import { startRetentionSchedule } from "../worker/retention-schedule.ts";
import { createAgentPackage } from "./agent-package.ts";
import { loadOrCreateConfigKey, startScheduleTimer } from "./engine.ts";
import { withDashboard } from "./web-assets.ts";

export interface ControlPlaneOptions {
  dataDir: string;
  /** Keep DynamoDB and fauxqs data in memory only (tests). */
  ephemeral?: boolean;
  host?: string;
  apiPort?: number;
  ingressPort?: number;
  /** Use this NATS server as the bus instead of the in-process one. */
  natsUrl?: string;
  logger: Logger;
  clock?: Clock;
  gateway?: Partial<GatewayConfig>;
  /** Period of the cron schedule sweep (default 60 s, aligned to minutes). */
  scheduleIntervalMs?: number;
  /** Accounts settings (rate limits, public URLs); URLs default to this server's. */
  tenancy?: Partial<TenancySettings>;
  /** Where the agent tarball is packed and served from (default agent/dist-package). */
  agentPackageDir?: string;
  /** How often the lost-execution reaper runs (a scheduled worker in AWS), in milliseconds. */
  reaperIntervalMs?: number;
  /** How often the retention sweep runs (default one hour; 0 disables it). */
  retentionIntervalMs?: number;
  /**
   * Webhook delivery: which addresses may be reached (local mode allows loopback by default, so
   * a receiver on this machine works out of the box) and the retry schedule.
   */
  webhooks?: { allowLoopback?: boolean; allowPrivate?: boolean } & Partial<WebhookSettings>;
}

const TABLE = "assay";
const BUCKET = "assay-data";

export async function startControlPlane(options: ControlPlaneOptions) {
  const { dataDir, logger } = options;
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? systemClock;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stops: Array<() => Promise<unknown> | unknown> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await Promise.resolve(stop()).catch(() => {});
  };

  try {
    const dynamo = await startDynamoDbLocal(
      options.ephemeral ? { inMemory: true } : { dataDir: join(dataDir, "dynamodb") },
    );
    stops.push(() => dynamo.stop());
    const fauxqs = await startLocalFauxqs(options.ephemeral ? {} : { dataDir: join(dataDir, "fauxqs") });
    stops.push(() => fauxqs.stop());

    const dynamoClient = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    await createTableIfMissing(dynamoClient, TABLE);
    const blobs = await createS3BlobStore({ client: fauxqs.s3Client, bucket: BUCKET, createBucket: true });
    const queueUrls = await ensureLocalQueues(fauxqs, JOB_KINDS);
    const bus = options.natsUrl
      ? await createNatsBus({ servers: options.natsUrl, clock })
      : createMemoryBus();
    stops.push(() => bus.close());

    const store = { client: dynamoClient, tableName: TABLE };
    const outbox = createOutboxMailer();
    // The local key file seals sensitive config and wraps the organizations' credential keys.
    const localKey = loadOrCreateConfigKey(dataDir);
    const { tenancy, credentialStore, webhookStore, ...stores } = createDynamoStores({ ...store, clock });
    const core = createCore(
      {
        ...stores,
        logBlobs: blobs,
        artifactBlobs: blobs,
        artifactGrants: blobs,
        bus,
        jobs: createSqsJobQueue({ client: fauxqs.sqsClient, queueUrls }),
        clock,
        logger,
        // Local mode may talk plain http to an identity provider on loopback (Dex, tests).
        tenancy: {
          ...tenancy,
          mailer: outbox,
          oidc: createOpenIdClient({ allowHttp: true, clock }),
        },
        credentials: { store: credentialStore, keys: createLocalKeyWrapper(localKey) },
        webhooks: {
          store: webhookStore,
          sender: createWebhookSender({
            clock,
            allowLoopback: options.webhooks?.allowLoopback ?? true,
            allowPrivate: options.webhooks?.allowPrivate,
          }),
        },
      },
      { tenancy: options.tenancy, configKey: localKey, webhooks: options.webhooks },
    );
    stops.push(startScheduleTimer(core.schedules, { clock, logger, intervalMs: options.scheduleIntervalMs }));

    const retention = startRetentionSchedule({
      orgStore: core.orgs,
      jobs: core.jobs,
      logger,
      orgIds: () => core.orgs.listOrgIds(),
      intervalMs: options.retentionIntervalMs,
      clock,
    });
    stops.push(() => retention.stop());
    const handlers = createJobHandlers(core, logger);
    for (const kind of JOB_KINDS) {
      const poller = startSqsPoller({
        client: fauxqs.sqsClient,
        queueUrl: queueUrls[kind],
        handler: handlers[kind],
        logger,
      });
      stops.push(() => poller.stop());
    }

    const reaper = core.reaper;
    stops.push(
      every(clock, options.reaperIntervalMs ?? 30_000, () => {
        reaper.reap().catch((error: unknown) => logger.error({ err: String(error) }, "reaper failed"));
      }),
    );

    const tls = await ensureSelfSignedCertificate(join(dataDir, "tls"), clock);
    const gateway = buildIngress(core, options.gateway);
    const ingress = await listenGateway(gateway, { host, port: options.ingressPort ?? 0, tls });
    stops.push(() => new Promise<void>((resolve) => ingress.server.tryShutdown(() => resolve())));
    stops.push(() => gateway.close());

    const agentPackage = createAgentPackage(options.agentPackageDir);
    const app = buildApi(core, { outbox, clientIp: (c) => getConnInfo(c).remote.address });
    const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const server = serve(
        {
          fetch: withDashboard(app, undefined, (site) => agentPackage.mount(site)).fetch,
          hostname: host,
          port: options.apiPort ?? 0,
        },
        () => resolve(server),
      );
    });
    stops.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    stops.push(() => (http as { closeAllConnections?: () => void }).closeAllConnections?.());
    const apiPort = (http.address() as AddressInfo).port;
    const apiUrl = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${apiPort}`;
    // Ports may be chosen at listen time (0): the links in emails and install commands follow.
    Object.assign(core.tenancy.settings, {
      publicWebUrl: options.tenancy?.publicWebUrl ?? apiUrl,
      ingressUrl: options.tenancy?.ingressUrl ?? `https://localhost:${ingress.port}`,
      agentTarballUrl: `${apiUrl}${AGENT_TARBALL_PATH}`,
      ingressCa: { file: tls.certFile, pem: readFileSync(tls.certFile, "utf8") },
    });

    return {
      core,
      gateway,
      apiUrl,
      /** The agent's npm tarball this server serves (packed on first need). */
      agentPackage,
      /** Emails "sent" in local mode (also at GET /v1/dev/outbox). */
      outbox,
      /** The DynamoDB client and table (tests inspect what is stored); a function, so state
       * serializers (local.json) skip it. */
      dynamo: () => store,
      ingressUrl: `https://localhost:${ingress.port}`,
      caFile: tls.certFile,
      /**
       * Environment for another control plane process (e.g. functions/ingress/main.ts) sharing
       * these stores, as the AWS runtime reads it.
       */
      runtimeEnv: (): Record<string, string> => ({
        ASSAY_TABLE_NAME: TABLE,
        ASSAY_LOGS_BUCKET: BUCKET,
        ASSAY_ARTIFACTS_BUCKET: BUCKET,
        ASSAY_QUEUE_URL_CLEANUP: queueUrls.cleanup,
        ASSAY_QUEUE_URL_COMPACT_LOGS: queueUrls["compact-logs"],
        ASSAY_QUEUE_URL_UNPACK_ARTIFACTS: queueUrls["unpack-artifacts"],
        ASSAY_QUEUE_URL_RETENTION: queueUrls.retention,
        ASSAY_QUEUE_URL_WEBHOOK_EVENTS: queueUrls["webhook-events"],
        ASSAY_QUEUE_URL_WEBHOOK_DELIVERY: queueUrls["webhook-delivery"],
        ASSAY_QUEUE_URL_INSIGHTS: queueUrls.insights,
        ...(options.natsUrl ? { ASSAY_NATS_URL: options.natsUrl } : {}),
        AWS_REGION: fauxqs.region,
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_S3: fauxqs.endpoint,
        AWS_ENDPOINT_URL_SQS: fauxqs.endpoint,
      }),
      /** Drains the ingress (bounded by its grace) and stops everything in reverse order. */
      async stop(options: { drain?: boolean } = {}) {
        if (options.drain) await gateway.drain();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export type ControlPlane = Awaited<ReturnType<typeof startControlPlane>>;
