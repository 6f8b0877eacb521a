/**
 * The AWS composition shared by the Lambda entries and the ingress container: one config
 * schema (environment variables set by the CDK stacks), AWS clients built once per process
 * (module scope in Lambda, so warm invocations reuse them), and the core on top.
 */

import { AppError } from "@assay/shared";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import pino from "pino";
import { z } from "zod";
import { createDynamoConcurrencyGroups } from "../adapters/aws/dynamo-concurrency-groups.ts";
import { createDynamoExecutionStore } from "../adapters/aws/dynamo-execution-store.ts";
import { createDynamoScheduleStore } from "../adapters/aws/dynamo-schedule-store.ts";
import { createDynamoTemplateStore } from "../adapters/aws/dynamo-template-store.ts";
import { createDynamoTenancyStores } from "../adapters/aws/dynamo-tenancy-stores.ts";
import { createDynamoTenantStore } from "../adapters/aws/dynamo-tenant-store.ts";
import { createDynamoTokenStore } from "../adapters/aws/dynamo-token-store.ts";
import { createDynamoWorkflowStore } from "../adapters/aws/dynamo-workflow-store.ts";
import { createS3BlobStore, createS3Client } from "../adapters/aws/s3-blob-store.ts";
import { createSesMailer } from "../adapters/aws/ses-mailer.ts";
import { createSqsJobQueue } from "../adapters/aws/sqs-job-queue.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createNatsBus } from "../adapters/nats/nats-bus.ts";
import { createCore } from "../core/index.ts";
import { type Bus, type Mailer, systemClock } from "../core/ports.ts";
import { parseSecretKey } from "../core/secret-box.ts";

export const AwsConfig = z.object({
  /** The single DynamoDB table. */
  ASSAY_TABLE_NAME: z.string().min(1),
  /** Bucket for execution logs. */
  ASSAY_LOGS_BUCKET: z.string().min(1),
  /** Bucket for artifacts. */
  ASSAY_ARTIFACTS_BUCKET: z.string().min(1),
  /** Queue URLs per job kind. */
  ASSAY_QUEUE_URL_CLEANUP: z.string().url(),
  ASSAY_QUEUE_URL_COMPACT_LOGS: z.string().url(),
  /** Artifact unpacking and the retention sweep (issue 5); jobs of an unset kind fail to send. */
  ASSAY_QUEUE_URL_UNPACK_ARTIFACTS: z.string().url().default(""),
  ASSAY_QUEUE_URL_RETENTION: z.string().url().default(""),
  /** NATS servers (comma-separated); without them signals fall back to storage sweeps. */
  ASSAY_NATS_URL: z.string().optional(),
  AWS_REGION: z.string().default("us-east-1"),
  /** How long an execution's lease lasts without an agent heartbeat, in milliseconds. */
  ASSAY_LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(90_000),
  /** Stand-in endpoints (DynamoDB Local, fauxqs); unset in AWS. */
  AWS_ENDPOINT_URL_DYNAMODB: z.string().url().optional(),
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  AWS_ENDPOINT_URL_SQS: z.string().url().optional(),
  /** Dashboard URL, for links in emails (verification, reset, invitations). */
  ASSAY_PUBLIC_WEB_URL: z.string().url().optional(),
  /** Public URL agents dial (the ingress load balancer), for install commands. */
  ASSAY_PUBLIC_INGRESS_URL: z.string().url().optional(),
  /** SES sender (a verified identity); without it, sending mail fails with `unavailable`. */
  ASSAY_MAIL_FROM: z.string().min(3).optional(),
  /** Optional SES configuration set for bounce and complaint tracking. */
  ASSAY_SES_CONFIGURATION_SET: z.string().optional(),
  /**
   * Key sealing sensitive config values at rest (AES-256-GCM): 32 bytes as 64 hex characters or
   * base64. Set it from Secrets Manager (the stacks pass the secret's value); without it,
   * runs with sensitive config values are refused rather than stored in plain text.
   */
  ASSAY_CONFIG_KEY: z.string().min(32).optional(),
  /** Log level of the JSON logs. */
  ASSAY_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
export type AwsConfig = z.infer<typeof AwsConfig>;

export const loadAwsConfig = (env: NodeJS.ProcessEnv): AwsConfig => AwsConfig.parse(env);

export async function buildAwsCore(config: AwsConfig) {
  const logger = pino({
    level: config.ASSAY_LOG_LEVEL,
    redact: ["authorization", "token", "*.token", "password", "*.password", "secret", "*.secret", "cookie"],
  });
  const mailer: Mailer = config.ASSAY_MAIL_FROM
    ? createSesMailer({
        client: new SESv2Client({ region: config.AWS_REGION }),
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
  const s3 = createS3Client({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL_S3 });
  // Without NATS, publishes go nowhere outside this process: consumers' storage sweeps cover it.
  const bus: Bus = config.ASSAY_NATS_URL
    ? await createNatsBus({ servers: config.ASSAY_NATS_URL, connectOptions: { waitOnFirstConnect: true } })
    : createMemoryBus();
  const core = createCore(
    {
      tenants: createDynamoTenantStore(store),
      tokens: createDynamoTokenStore(store),
      workflows: createDynamoWorkflowStore(store),
      executions: createDynamoExecutionStore(store),
      logBlobs: await createS3BlobStore({ client: s3, bucket: config.ASSAY_LOGS_BUCKET }),
      artifactBlobs: await createS3BlobStore({ client: s3, bucket: config.ASSAY_ARTIFACTS_BUCKET }),
      bus,
      jobs: createSqsJobQueue({
        client: new SQSClient({ region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL_SQS }),
        queueUrls: {
          cleanup: config.ASSAY_QUEUE_URL_CLEANUP,
          "compact-logs": config.ASSAY_QUEUE_URL_COMPACT_LOGS,
          "unpack-artifacts": config.ASSAY_QUEUE_URL_UNPACK_ARTIFACTS,
          retention: config.ASSAY_QUEUE_URL_RETENTION,
        },
      }),
      clock: systemClock,
      logger,
      tenancy: { ...createDynamoTenancyStores(store), mailer },
      templates: createDynamoTemplateStore(store),
      schedules: createDynamoScheduleStore(store),
      concurrency: createDynamoConcurrencyGroups(store),
    },
    {
      leaseTtlMs: config.ASSAY_LEASE_TTL_MS,
      ...(config.ASSAY_CONFIG_KEY ? { configKey: parseSecretKey(config.ASSAY_CONFIG_KEY) } : {}),
      tenancy: {
        ...(config.ASSAY_PUBLIC_WEB_URL ? { publicWebUrl: config.ASSAY_PUBLIC_WEB_URL } : {}),
        ...(config.ASSAY_PUBLIC_INGRESS_URL ? { ingressUrl: config.ASSAY_PUBLIC_INGRESS_URL } : {}),
      },
    },
  );
  return { core, logger, bus };
}
