/**
 * The unpack-artifacts worker invoked with SQS events the way Lambda delivers them: a batch
 * with a good bundle, a hostile one, a poison message and one whose storage fails (only that one
 * is reported as a batch item failure), then the whole batch redelivered (idempotent).
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { systemClock } from "@assay/shared";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { artifactPrefix, bundleKey, createArtifactService } from "../core/artifacts.ts";
import type { BlobStore } from "../core/ports.ts";
import { createUnpacker } from "../core/unpack.ts";
import { createMemoryLogger } from "../testing/harness.ts";
import { tgzOf } from "../testing/tarballs.ts";
import { createUnpackArtifactsJob } from "./jobs.ts";
import { createSqsHandler } from "./sqs-handler.ts";

const record = (messageId: string, body: unknown, receiveCount = 1) => ({
  messageId,
  body: typeof body === "string" ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});
const job = (executionId: string) => ({
  kind: "unpack-artifacts",
  id: `${executionId}.r1`,
  payload: { orgId: "o", envId: "e", executionId, bundleId: "r1", stepRef: "r1" },
});

describe("unpack-artifacts worker with Lambda-shaped SQS batches", () => {
  let fauxqs: LocalFauxqs;
  let blobs: BlobStore;
  before(async () => {
    fauxqs = await startLocalFauxqs();
    blobs = await createS3BlobStore({ client: fauxqs.s3Client, bucket: "worker-test", createBucket: true });
  });
  after(() => fauxqs?.stop());

  test("partial batch failure, poison message, hostile bundle recorded, redelivery idempotent", async () => {
    const clock = systemClock;
    // Storage that fails for one execution, as S3 throttling would.
    const flaky: BlobStore = {
      ...blobs,
      getStream: async (key) => {
        if (key.includes("/ex-flaky/")) throw new Error("SlowDown");
        return blobs.getStream(key);
      },
    };
    const artifacts = createArtifactService({
      blobs: flaky,
      jobs: { send: async () => {} },
      orgStore: { getOrg: async () => undefined },
      clock,
    });
    const handler = createSqsHandler(
      "unpack-artifacts",
      createUnpackArtifactsJob({ unpacker: createUnpacker({ blobs: flaky, artifacts, clock }) }),
      createMemoryLogger(),
    );
    for (const [id, entries] of [
      ["ex-good", [{ path: "report.txt", data: "ok" }]],
      ["ex-evil", [{ path: "../../etc/passwd", data: "x" }]],
      ["ex-flaky", [{ path: "a.txt", data: "a" }]],
    ] as const) {
      await blobs.put(bundleKey(artifactPrefix({ orgId: "o", envId: "e", id }), "r1"), tgzOf([...entries]));
    }
    const event = {
      Records: [
        record("m1", job("ex-good")),
        record("m2", job("ex-evil")),
        record("m3", "{not json"),
        record("m4", job("ex-flaky")),
      ],
    };
    assert.deepEqual(await handler(event), {
      batchItemFailures: [{ itemIdentifier: "m3" }, { itemIdentifier: "m4" }],
    });
    const good = await artifacts.list({ orgId: "o", envId: "e", id: "ex-good" });
    assert.deepEqual(
      good.files.map((f) => f.path),
      ["report.txt"],
    );
    const evil = await artifacts.list({ orgId: "o", envId: "e", id: "ex-evil" });
    assert.equal(evil.bundles[0]?.status, "rejected");
    assert.deepEqual(evil.files, []);

    const keysBefore = (await blobs.list("artifacts/")).map((o) => o.key);
    const again = await handler({
      Records: event.Records.map((r) => ({ ...r, attributes: { ApproximateReceiveCount: "2" } })),
    });
    assert.deepEqual(
      again.batchItemFailures.map((f) => f.itemIdentifier),
      ["m3", "m4"],
    );
    assert.deepEqual(
      (await blobs.list("artifacts/")).map((o) => o.key),
      keysBefore,
      "redelivery wrote nothing new",
    );
    assert.equal(
      (await artifacts.list({ orgId: "o", envId: "e", id: "ex-good" })).bundles[0]?.unpackedAt,
      good.bundles[0]?.unpackedAt,
    );
  });
});
