import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { type LocalFauxqs, startLocalFauxqs } from "./fauxqs.ts";
import { type SqsEvent, type SqsRecord, startSqsPoller } from "./sqs-poller.ts";
import { ensureJobQueues } from "./sqs-queues.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(() => fauxqs?.stop());

/** A queue pair of its own per test, with short timeouts so redelivery happens quickly. */
const queuesFor = async (name: string, maxReceiveCount = 2) => {
  const queues = await ensureJobQueues({
    client: fauxqs.sqsClient,
    kinds: [name],
    prefix: "poller-",
    maxReceiveCount,
    visibilityTimeoutSeconds: 1,
  });
  const urls = queues[name];
  assert.ok(urls);
  return urls;
};

const send = (queueUrl: string, body: string) =>
  fauxqs.sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

/** Resolves once `predicate` holds for the records seen so far. */
const collector = (predicate: (seen: SqsRecord[]) => boolean) => {
  const seen: SqsRecord[] = [];
  let resolve: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    seen,
    done,
    record(event: SqsEvent) {
      seen.push(...event.Records);
      if (predicate(seen)) resolve();
    },
  };
};

test("successful records are deleted; a reported failure is redelivered after the visibility timeout", async () => {
  const { queueUrl } = await queuesFor("partial", 5);
  const bodies = (seen: SqsRecord[]) => seen.map((r) => r.body);
  const c = collector((seen) => bodies(seen).filter((b) => b === "flaky").length >= 2);
  let flakyFailures = 0;
  const poller = startSqsPoller({
    client: fauxqs.sqsClient,
    queueUrl,
    waitTimeSeconds: 1,
    handler: async (event) => {
      c.record(event);
      const failures = event.Records.filter((r) => r.body === "flaky" && flakyFailures++ === 0);
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    },
  });
  try {
    await send(queueUrl, "ok");
    await send(queueUrl, "flaky");
    await c.done;
  } finally {
    await poller.stop();
  }
  assert.deepEqual(
    bodies(c.seen).filter((b) => b === "ok"),
    ["ok"],
    "a success is not redelivered",
  );
  const flaky = c.seen.filter((r) => r.body === "flaky");
  assert.deepEqual(
    flaky.map((r) => r.attributes.ApproximateReceiveCount),
    ["1", "2"],
  );
  const record = flaky[0];
  assert.equal(record?.eventSource, "aws:sqs");
  assert.match(record?.eventSourceARN ?? "", /^arn:aws:sqs:us-east-1:\d+:poller-partial$/);
  const left = await fauxqs.sqsClient.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
  );
  assert.equal(left.Messages, undefined, "both messages were deleted in the end");
});

test("a message failing every time lands in the DLQ after maxReceiveCount receives", async () => {
  const { queueUrl, dlqUrl } = await queuesFor("poison", 2);
  let attempts = 0;
  const poller = startSqsPoller({
    client: fauxqs.sqsClient,
    queueUrl,
    waitTimeSeconds: 1,
    handler: async (event) => {
      attempts += event.Records.length;
      throw new Error("always fails");
    },
  });
  try {
    await send(queueUrl, "poison");
    const { Messages } = await fauxqs.sqsClient.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 10 }),
    );
    assert.equal(Messages?.[0]?.Body, "poison");
  } finally {
    await poller.stop();
  }
  assert.equal(attempts, 2);
});

test("an unknown id in batchItemFailures fails the whole batch, as Lambda does", async () => {
  const { queueUrl } = await queuesFor("unknown-id", 5);
  const c = collector((seen) => seen.length >= 2);
  const poller = startSqsPoller({
    client: fauxqs.sqsClient,
    queueUrl,
    waitTimeSeconds: 1,
    handler: async (event) => {
      c.record(event);
      return { batchItemFailures: c.seen.length === 1 ? [{ itemIdentifier: "not-in-batch" }] : [] };
    },
  });
  try {
    await send(queueUrl, "once-more");
    await c.done;
  } finally {
    await poller.stop();
  }
  assert.deepEqual(
    c.seen.map((r) => [r.body, r.attributes.ApproximateReceiveCount]),
    [
      ["once-more", "1"],
      ["once-more", "2"],
    ],
  );
});

test("stop() ends an idle long poll promptly and is safe to call twice", async () => {
  const { queueUrl } = await queuesFor("idle", 5);
  const poller = startSqsPoller({
    client: fauxqs.sqsClient,
    queueUrl,
    handler: async () => ({ batchItemFailures: [] }),
  });
  await Promise.all([poller.stop(), poller.stop()]);
});
