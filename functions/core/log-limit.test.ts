/** The log size limit follows the organization's plan: bytes beyond it are never stored. */
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

test("each organization's limit applies to its own logs", async () => {
  const blobs = await createS3BlobStore({ client: fauxqs.s3Client, bucket: "limits", createBucket: true });
  const asked: string[] = [];
  const logs = createLogService({
    blobs,
    bus: createMemoryBus(),
    logLimitOf: async (orgId) => {
      asked.push(orgId);
      return orgId === "small" ? 10 : 1_000;
    },
  });
  const bytes = new TextEncoder().encode("0123456789abcdefghij");
  assert.equal(
    await logs.append(
      { orgId: "small", envId: "e", id: "01KAAAAAAAAAAAAAAAAAAAAAA1" },
      { offset: 0, step: "r1", data: bytes },
    ),
    10,
  );
  assert.equal(
    await logs.append(
      { orgId: "small", envId: "e", id: "01KAAAAAAAAAAAAAAAAAAAAAA1" },
      { offset: 10, step: "r1", data: bytes },
    ),
    10,
  );
  assert.equal(
    (await logs.read({ orgId: "small", envId: "e", id: "01KAAAAAAAAAAAAAAAAAAAAAA1" })).toString(),
    "0123456789",
  );
  assert.equal(
    await logs.append(
      { orgId: "big", envId: "e", id: "01KAAAAAAAAAAAAAAAAAAAAAA2" },
      { offset: 0, step: "r1", data: bytes },
    ),
    20,
  );
  assert.equal(await logs.limitFor("small"), 10);
  assert.deepEqual(asked, ["small", "big"], "limits are cached per organization");
});
