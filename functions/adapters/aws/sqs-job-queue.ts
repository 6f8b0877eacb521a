/**
 * JobQueue over SQS: one standard queue per job kind (each with its DLQ, declared by the stack or
 * by ensureJobQueues locally). The body is the job as JSON; workers parse it with JobMessage and
 * stay idempotent on `id`, since standard queues deliver at least once.
 */

import { AppError } from "@assay/shared";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import * as z from "zod";
import { JOB_KINDS, type Job, type JobKind, type JobQueue } from "../../core/ports.ts";

export { JOB_KINDS };

/** The message body of every job. */
export const JobMessage = z
  .object({
    kind: z.enum(JOB_KINDS),
    id: z.string().min(1).max(512),
    payload: z.record(z.string(), z.string()),
  })
  .strict();

/** Parses a received body; a malformed one is `invalid_argument` (a poison message). */
export const parseJobMessage = (body: string): Job => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError("invalid_argument", "job message is not JSON");
  }
  const parsed = JobMessage.safeParse(json);
  if (!parsed.success) throw new AppError("invalid_argument", "job message has an unexpected shape");
  return parsed.data;
};

/** SQS allows 256 KiB per message; jobs carry ids, never payload data. */
const MAX_BODY_BYTES = 256 * 1024;

export interface SqsJobQueueOptions {
  client: SQSClient;
  /** Queue URL for each kind. */
  queueUrls: Record<JobKind, string>;
}

/** Creates a JobQueue sending each job to its kind's queue. */
export const createSqsJobQueue = ({ client, queueUrls }: SqsJobQueueOptions): JobQueue => ({
  async send(job, options) {
    const parsed = JobMessage.safeParse(job);
    if (!parsed.success) throw new AppError("invalid_argument", "invalid job");
    const body = JSON.stringify(parsed.data);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new AppError("invalid_argument", "job too large");
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrls[parsed.data.kind],
        MessageBody: body,
        ...(options?.delaySeconds
          ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(options.delaySeconds))) }
          : {}),
        MessageAttributes: {
          kind: { DataType: "String", StringValue: parsed.data.kind },
          jobId: { DataType: "String", StringValue: parsed.data.id },
        },
      }),
    );
  },
});
