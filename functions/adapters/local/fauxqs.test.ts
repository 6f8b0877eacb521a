import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { createS3BlobStore } from "../aws/s3-blob-store.ts";
import { ensureLocalQueues, startLocalFauxqs } from "./fauxqs.ts";
import { ensureJobQueues } from "./sqs-queues.ts";

const dataDir = mkdtempSync(join(tmpdir(), "assay-fauxqs-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test("with a data dir, objects and queues survive a restart and provisioning is idempotent", async () => {
  const first = await startLocalFauxqs({ dataDir });
  try {
    const blobs = await createS3BlobStore({ client: first.s3Client, bucket: "kept", createBucket: true });
    await blobs.put("logs/a", new TextEncoder().encode("persisted"));
    await ensureLocalQueues(first, ["cleanup"]);
  } finally {
    await first.stop();
    await first.stop(); // idempotent
  }

  const second = await startLocalFauxqs({ dataDir });
  try {
    const blobs = await createS3BlobStore({ client: second.s3Client, bucket: "kept", createBucket: true });
    assert.equal(new TextDecoder().decode(await blobs.get("logs/a")), "persisted");
    const urls = await ensureLocalQueues(second, ["cleanup"]);
    assert.match(urls.cleanup, /assay-cleanup$/);

    // A changed setting updates the existing queue instead of failing the start.
    const changed = await ensureJobQueues({
      client: second.sqsClient,
      kinds: ["cleanup"],
      maxReceiveCount: 3,
    });
    const { Attributes } = await second.sqsClient.send(
      new GetQueueAttributesCommand({
        QueueUrl: changed.cleanup.queueUrl,
        AttributeNames: ["RedrivePolicy"],
      }),
    );
    assert.equal(JSON.parse(Attributes?.RedrivePolicy ?? "{}").maxReceiveCount, 3);
  } finally {
    await second.stop();
  }
});
