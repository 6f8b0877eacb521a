import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type LocalFauxqs, startLocalFauxqs } from "../local/fauxqs.ts";
import { lazyBlobStore } from "./lazy-blob-store.ts";
import { createS3BlobStore } from "./s3-blob-store.ts";

let fauxqs: LocalFauxqs;
before(async () => {
  fauxqs = await startLocalFauxqs();
});
after(async () => {
  await fauxqs?.stop();
});

test("loads the store on the first call only, and forwards every call to it", async () => {
  let loads = 0;
  const blobs = lazyBlobStore(async () => {
    loads++;
    return createS3BlobStore({ client: fauxqs.s3Client, bucket: "lazy", createBucket: true });
  });
  assert.equal(loads, 0, "nothing is loaded before the first call");
  await blobs.put("a/b.txt", new TextEncoder().encode("hello"));
  assert.equal(new TextDecoder().decode(await blobs.get("a/b.txt")), "hello");
  assert.deepEqual(await blobs.list("a/"), [{ key: "a/b.txt", size: 5 }]);
  assert.equal(await blobs.head("a/b.txt"), 5);
  await blobs.delete(["a/b.txt"]);
  assert.equal(await blobs.get("a/b.txt"), undefined);
  assert.equal(loads, 1);
});

test("a failed load is not remembered: the next call loads again", async () => {
  let attempts = 0;
  const blobs = lazyBlobStore(async () => {
    attempts++;
    if (attempts === 1) throw new Error("network down");
    return createS3BlobStore({ client: fauxqs.s3Client, bucket: "lazy-retry", createBucket: true });
  });
  await assert.rejects(blobs.list(""), /network down/);
  assert.deepEqual(await blobs.list(""), []);
  assert.equal(attempts, 2);
});
