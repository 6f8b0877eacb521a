/**
 * The AWS composition shared by the Lambda entries and the ingress container: one config
 * schema (environment variables set by the CDK stacks), AWS clients built once per process
 * (module scope in Lambda, so warm invocations reuse them), and the core on top.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import pino from "pino";
import { z } from "zod";
import { createDynamoExecutionStore } from "../adapters/aws/dynamo-execution-store.ts";
import { createDynamoTenantStore } from "../adapters/aws/dynamo-tenant-store.ts";
import { createDynamoTokenStore } from "../adapters/aws/dynamo-token-store.ts";
import { createDynamoWorkflowStore } from "../adapters/aws/dynamo-workflow-store.ts";
import { createS3BlobStore, createS3Client } from "../adapters/aws/s3-blob-store.ts";
import { createSqsJobQueue } from "../adapters/aws/sqs-job-queue.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createNatsBus } from "../adapters/nats/nats-bus.ts";
import { createCore } from "../core/index.ts";
import { type Bus, systemClock } from "../core/ports.ts";

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
  /** NATS servers (comma-separated); without them signals fall back to storage sweeps. */
  ASSAY_NATS_URL: z.string().optional(),
  AWS_REGION: z.string().default("us-east-1"),
  /** Stand-in endpoints (DynamoDB Local, fauxqs); unset in AWS. */
  AWS_ENDPOINT_URL_DYNAMODB: z.string().url().optional(),
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  AWS_ENDPOINT_URL_SQS: z.string().url().optional(),
  /** Log level of the JSON logs. */
  ASSAY_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
export type AwsConfig = z.infer<typeof AwsConfig>;

export const loadAwsConfig = (env: NodeJS.ProcessEnv): AwsConfig => AwsConfig.parse(env);

export async function buildAwsCore(config: AwsConfig) {
  const logger = pino({ level: config.ASSAY_LOG_LEVEL, redact: ["authorization", "token", "*.token"] });
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
  const core = createCore({
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
      },
    }),
    clock: systemClock,
    logger,
  });
  return { core, logger, bus };
}
