/**
 * The configuration schema of every AWS process (Lambda entries and the ingress container): the
 * environment variables the CDK stacks set. Only zod here, no clients, so the deployment's tests
 * can check the stacks' environments against it (tests/deploy/runtime-env.test.ts).
 */
import { agentImageRef } from "@assay/shared/version";
import * as z from "zod";
import { PlatformProvidersJson } from "../core/sso/platform-providers.ts";

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
  /** Webhook lifecycle events and deliveries (issue 19); unset, run events are only logged. */
  ASSAY_QUEUE_URL_WEBHOOK_EVENTS: z.string().url().default(""),
  ASSAY_QUEUE_URL_WEBHOOK_DELIVERY: z.string().url().default(""),
  /** Folding finished executions into Insights (issue 18); unset, insights stay empty. */
  ASSAY_QUEUE_URL_INSIGHTS: z.string().url().default(""),
  /** NATS servers (comma-separated); without them signals fall back to storage sweeps. */
  ASSAY_NATS_URL: z.string().optional(),
  AWS_REGION: z.string().default("us-east-1"),
  /** How long an execution's lease lasts without an agent heartbeat, in milliseconds. */
  ASSAY_LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(90_000),
  /** Agent registrations allowed per minute per agent token and per source (core/rate-limit.ts). */
  ASSAY_REGISTER_TOKEN_LIMIT: z.coerce.number().int().min(1).optional(),
  ASSAY_REGISTER_SOURCE_LIMIT: z.coerce.number().int().min(1).optional(),
  /** Stand-in endpoints (DynamoDB Local, fauxqs); unset in AWS. */
  AWS_ENDPOINT_URL_DYNAMODB: z.string().url().optional(),
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  AWS_ENDPOINT_URL_SQS: z.string().url().optional(),
  /** Dashboard URL, for links in emails (verification, reset, invitations). */
  ASSAY_PUBLIC_WEB_URL: z.string().url().optional(),
  /** Public URL agents dial (the ingress load balancer), for install commands. */
  ASSAY_PUBLIC_INGRESS_URL: z.string().url().optional(),
  /**
   * Registry the agent image is published to (`npm run release:agent-image -- --registry R`):
   * install commands name `R/assay/agent:<version>`. Without it (and ASSAY_AGENT_IMAGE) they
   * name `assay/agent:<version>`, the locally built tag.
   */
  ASSAY_AGENT_REGISTRY: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, "a registry host[:port][/path], no scheme")
    .optional(),
  /** The whole agent image reference, overriding ASSAY_AGENT_REGISTRY (e.g. pinned by digest). */
  ASSAY_AGENT_IMAGE: z.string().min(1).optional(),
  /** SES sender (a verified identity); without it, sending mail fails with `unavailable`. */
  ASSAY_MAIL_FROM: z.string().min(3).optional(),
  /** Optional SES configuration set for bounce and complaint tracking. */
  ASSAY_SES_CONFIGURATION_SET: z.string().optional(),
  /**
   * Key sealing sensitive config values at rest (AES-256-GCM): 32 bytes as 64 hex characters or
   * base64. The ingress gets it from Secrets Manager through ECS; without it (and without
   * `ASSAY_CONFIG_KEY_SECRET_ARN`), runs with sensitive config values are refused rather than
   * stored in plain text.
   */
  ASSAY_CONFIG_KEY: z.string().min(32).optional(),
  /** Secrets Manager secret holding that key, read once at init (Lambda: config-key.ts). */
  ASSAY_CONFIG_KEY_SECRET_ARN: z.string().min(1).optional(),
  /**
   * KMS key (id, ARN or alias) wrapping the organizations' credential data keys. Unset: the
   * config key above wraps them instead; with neither, credential routes answer 412.
   */
  ASSAY_CREDENTIALS_KMS_KEY_ID: z.string().min(1).optional(),
  /** KMS endpoint override (a stand-in); unset in AWS. */
  AWS_ENDPOINT_URL_KMS: z.string().url().optional(),
  /** Platform-wide OpenID Connect providers, a JSON array (docs/sso.md); unset: none. */
  ASSAY_SSO_PROVIDERS: PlatformProvidersJson,
  /** Log level of the JSON logs. */
  ASSAY_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});
export type AwsConfig = z.infer<typeof AwsConfig>;

export const loadAwsConfig = (env: NodeJS.ProcessEnv): AwsConfig => AwsConfig.parse(env);

/** The agent image the install commands name: ASSAY_AGENT_IMAGE, else the registry's release name. */
export const agentImageOf = (
  config: Pick<AwsConfig, "ASSAY_AGENT_IMAGE" | "ASSAY_AGENT_REGISTRY">,
): string | undefined =>
  config.ASSAY_AGENT_IMAGE ??
  (config.ASSAY_AGENT_REGISTRY ? agentImageRef(config.ASSAY_AGENT_REGISTRY) : undefined);
