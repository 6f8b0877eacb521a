/** Compaction of a log bigger than one PUT takes: stored multipart, read back byte for byte. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { createMemoryBus } from "../adapters/local/memory-bus.ts";
import { createLogService } from "./logs.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(async () => {
  await fauxqs?.stop();
});

test("a 20 MiB log compacts into one object and reads back unchanged", async () => {
  const blobs = await createS3BlobStore({
    client: fauxqs.s3Client,
    bucket: "compaction",
    createBucket: true,
  });
  const logs = createLogService({ blobs, bus: createMemoryBus() });
  const id = "01KAAAAAAAAAAAAAAAAAAAAAC1";
  const ref = { orgId: "o", envId: "e", id };
  const chunk = Buffer.alloc(1024 * 1024);
  let offset = 0;
  for (let i = 0; i < 20; i++) {
    chunk.fill(97 + (i % 26));
    offset = await logs.append(ref, { offset, step: i < 10 ? "r1" : "r2", data: chunk });
  }
  const before = await logs.read(ref);
  await logs.compact(ref);
  assert.equal((await blobs.list(`logs/o/e/${id}/chunks/`)).length, 0, "chunks removed");
  const after = await logs.read(ref);
  assert.equal(after.length, 20 * 1024 * 1024);
  assert.ok(after.equals(before));
  assert.equal((await logs.read(ref, { step: "r2" })).length, 10 * 1024 * 1024);
});
