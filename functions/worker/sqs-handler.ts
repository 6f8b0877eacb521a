/**
 * Runs background jobs from SQS batches the way Lambda delivers them: each record is parsed
 * and handled on its own, and the failures are returned as `batchItemFailures` so only those
 * messages are retried (and moved to the DLQ after the queue's max receive count). Handlers are
 * idempotent: a redelivered job does the same work again harmlessly.
 */
import { isAppError } from "@assay/shared";
import * as z from "zod";
import { JOB_KINDS, type Job, type JobKind, type Logger } from "../core/ports.ts";

/** The parts of a Lambda SQS event record this code reads. */
export interface SqsRecord {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

const JobBody = z.object({
  kind: z.enum(JOB_KINDS),
  id: z.string().min(1),
  payload: z.record(z.string(), z.string()),
});

export function createSqsHandler(
  kind: JobKind,
  handle: (job: Job) => Promise<void>,
  logger: Logger,
): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return async (event) => {
    const batchItemFailures: SqsBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      const log = logger.child({
        kind,
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
      });
      let job: Job;
      try {
        job = JobBody.parse(JSON.parse(record.body));
        if (job.kind !== kind) throw new Error(`a ${job.kind} job on the ${kind} queue`);
      } catch (error) {
        // A malformed message will never succeed: fail it so it reaches the DLQ with this reason logged.
        log.error({ reason: error instanceof Error ? error.message : String(error) }, "poison message");
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        await handle(job);
      } catch (error) {
        log.warn(
          { jobId: job.id, err: isAppError(error) ? error.message : String(error) },
          "job failed; will retry",
        );
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
