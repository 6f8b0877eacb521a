/**
 * QueueWorker: the one shape every SQS job kind takes. A function consuming one queue with
 * partial batch responses (the handler returns `batchItemFailures`, so one poison message does
 * not send its whole batch back), a bounded batching window, and optional reserved concurrency.
 * The queue's visibility timeout (6x the function timeout) and DLQ belong to DataStack.
 */
import { Duration } from "aws-cdk-lib";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { JobKind } from "../config/table-schema.ts";
import { AssayFunction } from "./assay-function.ts";

export interface QueueWorkerProps {
  readonly kind: JobKind;
  readonly queue: IQueue;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly reservedConcurrency?: number;
  /** Messages per invocation; jobs are small and independent. */
  readonly batchSize?: number;
}

export class QueueWorker extends Construct {
  readonly handler: AssayFunction;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    this.handler = new AssayFunction(this, "Handler", {
      entry: props.kind,
      memoryMiB: props.memoryMiB,
      timeout: props.timeout,
      environment: props.environment,
      logRetention: props.logRetention,
      reservedConcurrency: props.reservedConcurrency,
    });
    this.handler.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        // With reserved concurrency, cap pollers below it so SQS is not throttled into retries.
        maxConcurrency: props.reservedConcurrency ? Math.max(2, props.reservedConcurrency) : undefined,
      }),
    );
  }
}
