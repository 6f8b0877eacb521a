import { after, before } from "node:test";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { runJobQueueContract } from "../../core/contracts/job-queue.contract.ts";
import type { Job, JobKind } from "../../core/ports.ts";
import { ensureLocalQueues, type LocalFauxqs, startLocalFauxqs } from "../local/fauxqs.ts";
import { createSqsJobQueue, JOB_KINDS, parseJobMessage } from "./sqs-job-queue.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(() => fauxqs?.stop());

runJobQueueContract("sqs on fauxqs", async () => {
  const queueUrls = await ensureLocalQueues(fauxqs, JOB_KINDS);
  const drain = async (kind: JobKind): Promise<Job[]> => {
    const { Messages = [] } = await fauxqs.sqsClient.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrls[kind], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length > 0) {
      await fauxqs.sqsClient.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrls[kind],
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.map((m) => parseJobMessage(m.Body ?? ""));
  };
  return { queue: createSqsJobQueue({ client: fauxqs.sqsClient, queueUrls }), drain };
});
