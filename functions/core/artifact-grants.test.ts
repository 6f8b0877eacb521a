/**
 * Upload grants on real S3 semantics (fauxqs): the size an agent declares is bound to its
 * upload (signed into the PUT URL, checked again at completion, where a larger object is
 * deleted), bundles per execution are capped, and bad bundle ids are refused with a reason.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { AppError, systemClock } from "@assay/shared";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { artifactPrefix, bundleKey, createArtifactService } from "./artifacts.ts";
import type { BlobStore, Job } from "./ports.ts";
import { STORAGE_LIMITS, type StorageLimits } from "./storage-limits.ts";

const appError = (code: string, message: RegExp) => (error: unknown) =>
  error instanceof AppError && error.code === code && message.test(error.message);

describe("artifact upload grants", () => {
  let fauxqs: LocalFauxqs;
  let blobs: BlobStore;
  let jobs: Job[] = [];
  const limits: StorageLimits = { ...(STORAGE_LIMITS.free as StorageLimits), bundlesPerExecution: 3 };
  let artifacts: ReturnType<typeof createArtifactService>;
  let n = 0;

  before(async () => {
    fauxqs = await startLocalFauxqs();
    blobs = await createS3BlobStore({ client: fauxqs.s3Client, bucket: "grant-test", createBucket: true });
    artifacts = createArtifactService({
      blobs,
      jobs: { send: async (job) => void jobs.push(job) },
      orgStore: { getOrg: async () => undefined },
      clock: systemClock,
      limitsOf: async () => limits,
    });
  });
  after(() => fauxqs?.stop());

  const ask = (executionId: string, bundleId: string, sizeBytes: number) =>
    artifacts.grantUpload(
      { orgId: "org", envId: "env", id: executionId },
      {
        bundleId,
        stepRef: bundleId,
        sizeBytes,
        uploadId: "",
        partNumbers: [],
      },
    );
  const complete = (executionId: string, bundleId: string, sizeBytes: number) =>
    artifacts.completeUpload(
      { orgId: "org", envId: "env", id: executionId },
      {
        bundleId,
        stepRef: bundleId,
        uploadId: "",
        parts: [],
        sizeBytes,
        sha256: "",
      },
    );
  const keyOf = (executionId: string, bundleId: string) =>
    bundleKey(artifactPrefix({ orgId: "org", envId: "env", id: executionId }), bundleId);

  test("the granted size is signed into the PUT URL and an exact upload is accepted", async () => {
    jobs = [];
    const executionId = `ex${++n}`;
    const grant = await ask(executionId, "r1", 100);
    const signed = new URL(grant.putUrl).searchParams.get("X-Amz-SignedHeaders") ?? "";
    assert.ok(signed.split(";").includes("content-length"), `signed headers: ${signed}`);
    const put = await fetch(grant.putUrl, { method: "PUT", body: new Uint8Array(100) });
    assert.equal(put.status, 200, await put.text());
    await complete(executionId, "r1", 100);
    assert.deepEqual(
      jobs.map((j) => j.kind),
      ["unpack-artifacts"],
    );
  });

  test("10 bytes declared, 2 MB stored: refused at completion and deleted, nothing unpacked", async () => {
    jobs = [];
    const executionId = `ex${++n}`;
    await ask(executionId, "r1", 10);
    // Storage that does not check the signed length (the local stand-in) still gets the bytes.
    await blobs.put(keyOf(executionId, "r1"), new Uint8Array(2 * 1024 * 1024));
    await assert.rejects(
      complete(executionId, "r1", 2 * 1024 * 1024),
      appError("resource_exhausted", /has 2097152 bytes, more than the 10 granted/),
    );
    assert.equal(await blobs.head(keyOf(executionId, "r1")), undefined, "the oversized bundle is deleted");
    assert.deepEqual(jobs, []);
  });

  test("a bundle nobody granted is refused and deleted", async () => {
    const executionId = `ex${++n}`;
    await blobs.put(keyOf(executionId, "sneaky"), new Uint8Array(10));
    await assert.rejects(complete(executionId, "sneaky", 10), appError("invalid_argument", /never granted/));
    assert.equal(await blobs.head(keyOf(executionId, "sneaky")), undefined);
  });

  test("bundles per execution are capped; asking again for a granted bundle is fine", async () => {
    const executionId = `ex${++n}`;
    for (const id of ["a", "b", "c"]) await ask(executionId, id, 10);
    await assert.rejects(
      ask(executionId, "d", 10),
      appError("resource_exhausted", /has 3 artifact bundles.*limit is 3/),
    );
    await ask(executionId, "b", 20);
    await ask(`ex${++n}`, "d", 10);
  });

  test("bad bundle ids are refused with the rule, not an internal error", async () => {
    for (const id of ["../../x", "", "..", "a/b", "x".repeat(65)]) {
      await assert.rejects(ask("ex-ids", id, 10), appError("invalid_argument", /^bundle id ".*" must be/));
      await assert.rejects(complete("ex-ids", id, 10), appError("invalid_argument", /^bundle id/));
    }
  });
});
