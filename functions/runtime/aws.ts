/**
 * The AWS composition shared by the Lambda entries and the ingress container: one config
 * schema (environment variables set by the CDK stacks), AWS clients built once per process
 * (module scope in Lambda, so warm invocations reuse them), and the core on top.
 */

import { AppError } from "@assay/shared";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import pino from "pino";
import { createDynamoStores } from "../adapters/aws/dynamo-stores.ts";
import { createKmsKeyWrapper } from "../adapters/aws/kms-key-wrapper.ts";
import { lazyBlobStore } from "../adapters/aws/lazy-blob-store.ts";
import { createLocalKeyWrapper } from "../adapters/local/local-key-wrapper.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createBackgroundNatsBus } from "../adapters/nats/nats-bus.ts";
import { createCore } from "../core/index.ts";
import { AGENT_TARBALL_PATH } from "../core/install.ts";
import { lazyMethods } from "../core/lazy.ts";
import type { CredentialStore } from "../core/ports/credential-store.ts";
import type { KeyWrapper } from "../core/ports/key-wrapper.ts";
import type { OidcClient } from "../core/ports/oidc-client.ts";
import { type Bus, type JobKind, type JobQueue, type Mailer, systemClock } from "../core/ports.ts";
import { parseSecretKey } from "../core/secret-box.ts";
import { type AwsConfig, agentImageOf } from "./aws-config.ts";
import { loadConfigKey } from "./config-key.ts";

export { AwsConfig, loadAwsConfig } from "./aws-config.ts";

/**
 * The SES mailer, with the SES client loaded and built on the first mail: most requests send
 * none, so a cold start does not pay for it.
 */
const lazySesMailer = (config: { region: string; from: string; configurationSetName?: string }): Mailer =>
  lazyMethods({ send: true }, async () => {
    const [{ SESv2Client }, { createSesMailer }] = await Promise.all([
      import("@aws-sdk/client-sesv2"),
      import("../adapters/aws/ses-mailer.ts"),
    ]);
    return createSesMailer({
      client: new SESv2Client({ region: config.region }),
      from: config.from,
      configurationSetName: config.configurationSetName,
    });
  });

/**
 * The OpenID Connect client, with openid-client loaded on the first sign-in: only SSO sign-ins
 * use it, and the library is ~30 KB of start-up code. Identity providers are reached over https
 * only. A failed load is retried on the next sign-in.
 */
export const lazyOpenIdClient = (): OidcClient =>
  lazyMethods({ start: true, finish: true }, async () =>
    (await import("../adapters/http/openid-client.ts")).createOpenIdClient(),
  );

/**
 * The SQS job queue, with the SQS client (~25 KB of start-up code) loaded and built on the
 * first job sent: most requests enqueue none. A failed load is retried on the next job.
 */
const lazySqsJobQueue = (config: {
  region: string;
  endpoint?: string;
  queueUrls: Record<JobKind, string>;
}): JobQueue =>
  lazyMethods({ send: true }, async () => {
    const [{ SQSClient }, { createSqsJobQueue }] = await Promise.all([
      import("@aws-sdk/client-sqs"),
      import("../adapters/aws/sqs-job-queue.ts"),
    ]);
    return createSqsJobQueue({
      client: new SQSClient({ region: config.region, endpoint: config.endpoint }),
      queueUrls: config.queueUrls,
    });
  });

export async function buildAwsCore(config: AwsConfig) {
  const logger = pino({
    level: config.ASSAY_LOG_LEVEL,
    redact: ["authorization", "token", "*.token", "password", "*.password", "secret", "*.secret", "cookie"],
  });
  const mailer: Mailer = config.ASSAY_MAIL_FROM
    ? lazySesMailer({
        region: config.AWS_REGION,
        from: config.ASSAY_MAIL_FROM,
        configurationSetName: config.ASSAY_SES_CONFIGURATION_SET,
      })
    : {
        send: async () => {
          throw new AppError("unavailable", "email is not configured on this deployment");
        },
      };
  const dynamo = new DynamoDBClient({
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL_DYNAMODB,
  });
  const store = { client: dynamo, tableName: config.ASSAY_TABLE_NAME };
  // One S3 client for both buckets, loaded and built on the first object-storage call.
  let s3: Promise<typeof import("../adapters/aws/s3-blob-store.ts") & { client: S3Client }> | undefined;
  const loadS3 = () => {
    s3 ??= import("../adapters/aws/s3-blob-store.ts").then((m) => ({
      ...m,
      client: m.createS3Client({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL_S3 }),
    }));
    return s3;
  };
  const bucketStore = (bucket: string) =>
    lazyBlobStore(async () => {
      const { createS3BlobStore, client } = await loadS3();
      return createS3BlobStore({ client, bucket });
    });
  const artifactBucket = bucketStore(config.ASSAY_ARTIFACTS_BUCKET);
  // Without NATS, publishes go nowhere outside this process: consumers' storage sweeps cover it.
  const bus: Bus = config.ASSAY_NATS_URL
    ? createBackgroundNatsBus({ servers: config.ASSAY_NATS_URL.split(","), logger, clock: systemClock })
    : createMemoryBus();
  const configKey = await loadConfigKey(config);
  const { tenancy, credentialStore, webhookStore, ...stores } = createDynamoStores({
    ...store,
    clock: systemClock,
  });
  const core = createCore(
    {
      ...stores,
      logBlobs: bucketStore(config.ASSAY_LOGS_BUCKET),
      artifactBlobs: artifactBucket,
      artifactGrants: artifactBucket,
      bus,
      jobs: lazySqsJobQueue({
        region: config.AWS_REGION,
        endpoint: config.AWS_ENDPOINT_URL_SQS,
        queueUrls: {
          cleanup: config.ASSAY_QUEUE_URL_CLEANUP,
          "compact-logs": config.ASSAY_QUEUE_URL_COMPACT_LOGS,
          "unpack-artifacts": config.ASSAY_QUEUE_URL_UNPACK_ARTIFACTS,
          retention: config.ASSAY_QUEUE_URL_RETENTION,
          "webhook-events": config.ASSAY_QUEUE_URL_WEBHOOK_EVENTS,
          "webhook-delivery": config.ASSAY_QUEUE_URL_WEBHOOK_DELIVERY,
          insights: config.ASSAY_QUEUE_URL_INSIGHTS,
        },
      }),
      clock: systemClock,
      logger,
      tenancy: { ...tenancy, mailer, oidc: lazyOpenIdClient() },
      ...credentialPorts(config, configKey, credentialStore),
      // The hosted control plane reaches public addresses only (no loopback, private or link-local).
      // The sender (with its address ranges and node:dns) loads with the first webhook written or sent.
      webhooks: {
        store: webhookStore,
        sender: lazyMethods({ send: true, checkUrl: true }, async () =>
          (await import("../adapters/http/webhook-sender.ts")).createWebhookSender({
            allowLoopback: false,
            clock: systemClock,
          }),
        ),
      },
    },
    {
      leaseTtlMs: config.ASSAY_LEASE_TTL_MS,
      ...(configKey ? { configKey: parseSecretKey(configKey) } : {}),
      tenancy: {
        ssoProviders: config.ASSAY_SSO_PROVIDERS,
        rateLimits: {
          ...(config.ASSAY_REGISTER_TOKEN_LIMIT
            ? { "register:token": { limit: config.ASSAY_REGISTER_TOKEN_LIMIT, windowSeconds: 60 } }
            : {}),
          ...(config.ASSAY_REGISTER_SOURCE_LIMIT
            ? { "register:source": { limit: config.ASSAY_REGISTER_SOURCE_LIMIT, windowSeconds: 60 } }
            : {}),
        },
        ...(config.ASSAY_PUBLIC_WEB_URL
          ? {
              publicWebUrl: config.ASSAY_PUBLIC_WEB_URL,
              // The web bucket holds the agent tarball beside the dashboard (infra/ publishes it).
              agentTarballUrl: new URL(AGENT_TARBALL_PATH, config.ASSAY_PUBLIC_WEB_URL).href,
            }
          : {}),
        ...(agentImageOf(config) ? { agentImage: agentImageOf(config) } : {}),
        ...(config.ASSAY_PUBLIC_INGRESS_URL ? { ingressUrl: config.ASSAY_PUBLIC_INGRESS_URL } : {}),
      },
    },
  );
  return { core, logger, bus };
}

/**
 * The credential store with KMS wrapping its data keys, or the config key when no KMS key is
 * set. With both, data keys wrapped by the config key before KMS was configured still open.
 */
function credentialPorts(config: AwsConfig, configKey: string | undefined, store: CredentialStore) {
  const local = configKey ? createLocalKeyWrapper(parseSecretKey(configKey)) : undefined;
  let keys: KeyWrapper | undefined = local;
  if (config.ASSAY_CREDENTIALS_KMS_KEY_ID) {
    const kms = createKmsKeyWrapper({
      keyId: config.ASSAY_CREDENTIALS_KMS_KEY_ID,
      region: config.AWS_REGION,
      endpoint: config.AWS_ENDPOINT_URL_KMS,
    });
    keys = {
      generate: (orgId) => kms.generate(orgId),
      unwrap: (orgId, wrapped) =>
        local !== undefined && wrapped.startsWith("local.")
          ? local.unwrap(orgId, wrapped)
          : kms.unwrap(orgId, wrapped),
    };
  }
  return keys === undefined ? {} : { credentials: { store, keys } };
}
