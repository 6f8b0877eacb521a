/**
 * Creates the job queues for local mode and tests: one queue per kind, each with a dead-letter
 * queue and a redrive policy, mirroring what the CDK stack declares in AWS. CreateQueue is
 * idempotent for identical attributes, so this runs on every start.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * Creates a queue, or updates the attributes of an existing one: CreateQueue refuses a name that
 * exists with other attributes (e.g. a persisted local queue after a default changed).
 */
const upsertQueue = async (
  client: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> => {
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    if (QueueUrl === undefined) throw new Error(`CreateQueue returned no URL for ${name}`);
    return QueueUrl;
  } catch (error) {
    // Spelled differently by SDK versions and emulators (`AWS.SimpleQueueService.QueueNameExists`).
    const code = error instanceof Error ? error.name : "";
    if (!/Queue(NameExists|AlreadyExists)$/.test(code)) throw error;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl === undefined) throw new Error(`GetQueueUrl returned no URL for ${name}`);
    await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl;
  }
};

export interface JobQueueUrls {
  queueUrl: string;
  dlqUrl: string;
}

export interface EnsureJobQueuesOptions<K extends string> {
  client: SQSClient;
  kinds: readonly K[];
  /** Queue name prefix (default `assay-`): queue `assay-cleanup`, DLQ `assay-cleanup-dlq`. */
  prefix?: string;
  /** Receives before a message moves to the DLQ (default 5). */
  maxReceiveCount?: number;
  /** Visibility timeout of the main queues, in seconds (default 60). */
  visibilityTimeoutSeconds?: number;
  /** How long the DLQ keeps messages, in seconds (default 14 days, the SQS maximum). */
  dlqRetentionSeconds?: number;
}

/** Creates (or finds) every queue and DLQ; returns their URLs by kind. */
export const ensureJobQueues = async <K extends string>(
  options: EnsureJobQueuesOptions<K>,
): Promise<Record<K, JobQueueUrls>> => {
  const { client } = options;
  const prefix = options.prefix ?? "assay-";
  const result = {} as Record<K, JobQueueUrls>;
  for (const kind of options.kinds) {
    const dlqUrl = await upsertQueue(client, `${prefix}${kind}-dlq`, {
      MessageRetentionPeriod: String(options.dlqRetentionSeconds ?? 1_209_600),
    });
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
    );
    const dlqArn = Attributes?.QueueArn;
    if (dlqArn === undefined) throw new Error(`no ARN for the ${kind} DLQ`);
    const queueUrl = await upsertQueue(client, `${prefix}${kind}`, {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlqArn,
        maxReceiveCount: options.maxReceiveCount ?? 5,
      }),
    });
    result[kind] = { queueUrl, dlqUrl };
  }
  return result;
};
