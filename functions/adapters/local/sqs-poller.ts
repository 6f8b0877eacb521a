/**
 * Feeds an SQS queue to a Lambda-shaped handler, the way Lambda's event source mapping does, so
 * local mode runs the very worker handlers deployed in AWS:
 * - long-polls up to `batchSize` messages and passes them as one SQS event;
 * - deletes the messages the handler did not report in `batchItemFailures`;
 * - when the handler throws, or reports an id that is not in the batch, the whole batch counts as
 *   failed (Lambda's rule): nothing is deleted and every message reappears after its visibility
 *   timeout, moving to the DLQ after the queue's maxReceiveCount.
 */

import { setTimeout as sleep } from "node:timers/promises";
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Logger } from "../../core/ports.ts";

/** One record of a Lambda SQS event (the fields Lambda sets). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** System attributes, e.g. ApproximateReceiveCount, SentTimestamp. */
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string }>;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** The partial batch response Lambda understands (ReportBatchItemFailures). */
export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export type SqsHandler = (event: SqsEvent) => Promise<SqsBatchResponse | undefined>;

export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  /** Messages per event, 1-10 (default 10). */
  batchSize?: number;
  /** Long-poll wait, 0-20 seconds (default 20). */
  waitTimeSeconds?: number;
  /** Overrides the queue's visibility timeout for received messages, in seconds. */
  visibilityTimeoutSeconds?: number;
  /** Region for the records' `awsRegion` (default us-east-1). */
  region?: string;
  logger?: Logger;
}

export interface SqsPoller {
  /** Stops polling, lets an in-flight batch finish, resolves when the loop has ended. */
  stop(): Promise<void>;
}

const arnOf = (queueUrl: string, region: string): string => {
  const [account = "000000000000", name = "queue"] = new URL(queueUrl).pathname.split("/").filter(Boolean);
  return `arn:aws:sqs:${region}:${account}:${name}`;
};

const toRecord = (message: Message, eventSourceARN: string, awsRegion: string): SqsRecord | undefined => {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) return undefined;
  const messageAttributes: SqsRecord["messageAttributes"] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? "String",
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? "",
    attributes: { ...message.Attributes },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN,
    awsRegion,
  };
};

/** Starts a polling loop; call `stop()` before closing the client. */
export const startSqsPoller = (options: SqsPollerOptions): SqsPoller => {
  const { client, queueUrl, handler, logger } = options;
  const region = options.region ?? "us-east-1";
  const eventSourceARN = arnOf(queueUrl, region);
  const abort = new AbortController();

  /** Which receipt handles to delete after a batch: the successes, or none if the batch failed. */
  const successesOf = async (records: SqsRecord[]): Promise<SqsRecord[]> => {
    let response: SqsBatchResponse | undefined;
    try {
      response = await handler({ Records: records });
    } catch (error) {
      logger?.error({ queueUrl, err: String(error) }, "sqs handler threw; the batch will be retried");
      return [];
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    if ([...failed].some((id) => !records.some((r) => r.messageId === id))) {
      logger?.error({ queueUrl }, "batchItemFailures names an unknown message; the batch will be retried");
      return [];
    }
    return records.filter((r) => !failed.has(r.messageId));
  };

  const poll = async (): Promise<void> => {
    const messages = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(Math.max(options.batchSize ?? 10, 1), 10),
        WaitTimeSeconds: options.waitTimeSeconds ?? 20,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
        ...(options.visibilityTimeoutSeconds === undefined
          ? {}
          : { VisibilityTimeout: options.visibilityTimeoutSeconds }),
      }),
      { abortSignal: abort.signal },
    );
    const records = (messages.Messages ?? [])
      .map((m) => toRecord(m, eventSourceARN, region))
      .filter((r) => r !== undefined);
    if (records.length === 0) return;
    const done = await successesOf(records);
    if (done.length === 0) return;
    // Not tied to the abort signal: a batch that ran must have its successes deleted.
    const { Failed } = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
    if (Failed !== undefined && Failed.length > 0) {
      logger?.warn(
        { queueUrl, failed: Failed.length },
        "could not delete handled messages; they will be redelivered",
      );
    }
  };

  const loop = async (): Promise<void> => {
    let backoffMs = 500;
    while (!abort.signal.aborted) {
      try {
        await poll();
        backoffMs = 500;
      } catch (error) {
        if (abort.signal.aborted) break;
        logger?.warn({ queueUrl, err: String(error), retryInMs: backoffMs }, "sqs receive failed");
        await sleep(backoffMs, undefined, { signal: abort.signal }).catch(() => {});
        backoffMs = Math.min(backoffMs * 2, 30_000);
      }
    }
  };

  const running = loop();
  return {
    async stop() {
      abort.abort();
      await running;
    },
  };
};
