/**
 * DataStack: everything stateful, in its own stack so stateless stacks can be replaced, rolled
 * back or destroyed without touching data. Termination-protected and RETAIN in protected stages.
 *
 * - One DynamoDB table (single-table design, on-demand, PITR, TTL, deletion protection). No
 *   Streams: nothing consumes them; NATS and SQS carry signals.
 * - Buckets for logs and artifacts (private, SSE-S3, TLS-only, access-logged, lifecycle per
 *   retention class) and the access-log bucket they log to.
 * - One SQS queue per job kind, each with a DLQ and redrive after `maxReceiveCount` receives.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { AnyPrincipal, Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type LifecycleRule,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { resourceNames } from "../config/names.ts";
import type { StageConfig } from "../config/stages.ts";
import {
  type JobKind,
  jobKinds,
  maxReceiveCount,
  objectPrefixes,
  tableDefinition,
} from "../config/table-schema.ts";
import { acknowledgeBucketControls } from "../constructs/bucket-controls.ts";
import { acknowledge, acknowledgeGuard } from "../nag.ts";

/** AWS guidance for SQS event sources: visibility timeout at least 6x the function timeout. */
export const visibilityTimeoutFor = (config: StageConfig): Duration =>
  Duration.seconds(config.workers.timeoutSeconds * 6);

/** How long a replaced or deleted object stays restorable (versioned buckets). */
export const noncurrentVersionDays = 7;

/** Object tag that opts an object into the short retention class (free plans, scratch runs). */
export const shortRetentionTag = { key: "assay-retention", value: "short" } as const;

export interface JobQueue {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

export interface DataStackProps extends StackProps {
  readonly config: StageConfig;
}

export class DataStack extends Stack {
  readonly table: Table;
  readonly logsBucket: Bucket;
  readonly artifactsBucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly queues: Readonly<Record<JobKind, JobQueue>>;
  /** The key that seals sensitive workflow config values (AES-256, 64 hex characters). */
  readonly configKey: Secret;
  /** The KMS key wrapping each organization's credential data key (see docs/credentials.md). */
  readonly credentialsKey: Key;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { ...props, terminationProtection: props.config.protectData });
    const { config } = props;
    const removalPolicy = config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const names = resourceNames(config);

    this.table = new Table(this, "Table", {
      tableName: names.table,
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: config.protectData,
      timeToLiveAttribute: tableDefinition.timeToLiveAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    for (const index of tableDefinition.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
      });
    }

    this.accessLogsBucket = new Bucket(this, "AccessLogs", {
      ...privateBucket,
      // Server access logs and NLB logs are delivered by service principals under a bucket policy.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(config.retention.accessLogsDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeBucketControls(this.accessLogsBucket, "access-logs");

    this.logsBucket = new Bucket(this, "Logs", {
      ...privateBucket,
      bucketName: names.logsBucket,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: "s3/logs/",
      versioned: true,
      lifecycleRules: retentionRules(objectPrefixes.logs, config.retention.logsDays),
      removalPolicy,
    });
    acknowledgeBucketControls(this.logsBucket, "data");

    this.artifactsBucket = new Bucket(this, "Artifacts", {
      ...privateBucket,
      bucketName: names.artifactsBucket,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: "s3/artifacts/",
      versioned: true,
      lifecycleRules: retentionRules(objectPrefixes.artifacts, config.retention.artifactsDays),
      // No CORS: CORS governs only scripts reading a response (fetch/XHR). Agents PUT their
      // bundles from a process, not a browser; the dashboard shows files through <a>, <img> and
      // a sandboxed <iframe> whose source redirects to a presigned GET, loads CORS does not
      // apply to (the CSP admits the bucket's origin for them, WebStack).
      removalPolicy,
    });
    acknowledgeBucketControls(this.artifactsBucket, "data");

    const queues: Partial<Record<JobKind, JobQueue>> = {};
    for (const kind of jobKinds) {
      const deadLetterQueue = new Queue(this, `${kind}-dlq`, {
        ...secureQueue,
        retentionPeriod: Duration.days(14),
      });
      acknowledgeGuard(
        deadLetterQueue,
        "sqs_dlq_check",
        "This queue is itself a dead-letter queue; it is drained by redrive after an alarm.",
      );
      const queue = new Queue(this, `${kind}-queue`, {
        ...secureQueue,
        visibilityTimeout: visibilityTimeoutFor(config),
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
      });
      queues[kind] = { queue, deadLetterQueue };
    }
    this.queues = queues as Record<JobKind, JobQueue>;

    // Sealed values are unreadable without this key: it is retained in every stage, never rotated.
    this.configKey = new Secret(this, "ConfigKey", {
      description: `Assay ${config.stage}: AES-256 key sealing sensitive workflow config values`,
      generateSecretString: {
        passwordLength: 64,
        excludeUppercase: true,
        excludePunctuation: true,
        includeSpace: false,
        // What remains is 0-9 and a-f: the hex form parseSecretKey accepts.
        excludeCharacters: "ghijklmnopqrstuvwxyz",
        requireEachIncludedType: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Wrapped data keys are unreadable without this key: retained, with yearly rotation by KMS
    // (old key material stays available for Decrypt, so rotation breaks nothing).
    this.credentialsKey = new Key(this, "CredentialsKey", {
      description: `Assay ${config.stage}: wraps the organizations' credential data keys`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Grants on this key may only be made for AWS services acting for the stack's roles.
    this.credentialsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: "GrantsOnlyForAwsServices",
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        conditions: {
          BoolIfExists: { "kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false" },
        },
      }),
    );
    acknowledge(this.configKey, "AwsSolutions-SMG4", {
      reason:
        "Rotating this key would make every sealed config value unreadable: the runtime has no re-encryption yet. Rotate by a planned migration, not a schedule.",
    });
  }
}

const privateBucket = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  encryption: BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
} as const;

const secureQueue = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;

/**
 * Retention classes: everything under the prefix expires after the stage default; objects tagged
 * with `shortRetentionTag` expire after a week. S3 applies the earliest matching expiration, so
 * a class can only shorten the default, never extend it. Replaced and deleted objects stay
 * restorable as noncurrent versions for `noncurrentVersionDays`, then go.
 */
function retentionRules(prefix: string, days: number): LifecycleRule[] {
  return [
    { id: "default", prefix, expiration: Duration.days(days) },
    {
      id: "short",
      prefix,
      tagFilters: { [shortRetentionTag.key]: shortRetentionTag.value },
      expiration: Duration.days(Math.min(7, days)),
    },
    {
      id: "abort-incomplete-uploads",
      abortIncompleteMultipartUploadAfter: Duration.days(1),
      noncurrentVersionExpiration: Duration.days(noncurrentVersionDays),
      expiredObjectDeleteMarker: true,
    },
  ];
}
