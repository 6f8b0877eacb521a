/**
 * Unpacking on real S3 semantics (fauxqs): good bundles land as files with an index and a
 * report; hostile ones are refused as a whole and leave nothing but their index behind (the
 * refused bundle itself is deleted).
 */

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { systemClock } from "@assay/shared";
import { createS3BlobStore } from "../adapters/aws/s3-blob-store.ts";
import { type LocalFauxqs, startLocalFauxqs } from "../adapters/local/fauxqs.ts";
import { type TarEntrySpec, tgzOf } from "../testing/tarballs.ts";
import { artifactPrefix, bundleKey, createArtifactService } from "./artifacts.ts";
import type { BlobStore, Job } from "./ports.ts";
import { STORAGE_LIMITS, type StorageLimits } from "./storage-limits.ts";
import { createUnpacker, safeEntryPath } from "./unpack.ts";

const JUNIT = `<testsuites><testsuite name="s"><testcase name="ok" time="0.1"/><testcase name="bad"><failure message="nope">trace</failure></testcase></testsuite></testsuites>`;

describe("artifact unpacking", () => {
  let fauxqs: LocalFauxqs;
  let blobs: BlobStore;
  const jobs: Job[] = [];
  let limits: StorageLimits = { ...(STORAGE_LIMITS.free as StorageLimits) };
  let artifacts: ReturnType<typeof createArtifactService>;
  let unpacker: ReturnType<typeof createUnpacker>;
  let n = 0;

  before(async () => {
    fauxqs = await startLocalFauxqs();
    blobs = await createS3BlobStore({ client: fauxqs.s3Client, bucket: "unpack-test", createBucket: true });
    const clock = systemClock;
    artifacts = createArtifactService({
      blobs,
      jobs: { send: async (job) => void jobs.push(job) },
      orgStore: { getOrg: async () => undefined },
      clock,
      limitsOf: async () => limits,
    });
    unpacker = createUnpacker({ blobs, artifacts, clock });
  });
  after(() => fauxqs?.stop());

  const upload = async (entries: TarEntrySpec[] | Buffer) => {
    const executionId = `ex${++n}`;
    const prefix = artifactPrefix({ orgId: "org", envId: "env", id: executionId });
    const body = Buffer.isBuffer(entries) ? entries : tgzOf(entries);
    await blobs.put(bundleKey(prefix, "r1"), body);
    return { executionId, prefix, sha256: createHash("sha256").update(body).digest("hex") };
  };
  const unpack = (executionId: string, sha256?: string) =>
    unpacker.unpack({ orgId: "org", envId: "env", executionId, bundleId: "r1", stepRef: "r1", sha256 });
  const keysUnder = async (prefix: string) =>
    (await blobs.list(prefix)).map((o) => o.key.slice(prefix.length));

  test("nested folders, binary files, JUnit: files with sha256 and type, a tree, a report; redelivery is a no-op", async () => {
    const binary = randomBytes(100_000);
    const { executionId, prefix, sha256 } = await upload([
      { path: "reports/", type: "Directory" },
      { path: "reports/junit.xml", data: JUNIT },
      { path: "a/b/c/deep.bin", data: binary },
      { path: "./top.txt", data: "hello\n" },
      { path: "a/link", type: "SymbolicLink", linkpath: "b/c/deep.bin" },
    ]);
    const index = await unpack(executionId, sha256);
    assert.equal(index.status, "unpacked", index.reason);
    assert.deepEqual(index.files.map((f) => f.path).sort(), [
      "a/b/c/deep.bin",
      "reports/junit.xml",
      "top.txt",
    ]);
    const deep = index.files.find((f) => f.path === "a/b/c/deep.bin");
    assert.equal(deep?.sha256, createHash("sha256").update(binary).digest("hex"));
    assert.equal(index.files.find((f) => f.path === "top.txt")?.contentType, "text/plain; charset=utf-8");
    assert.deepEqual(
      index.skipped.map((s) => s.path),
      ["a/link"],
    );
    assert.deepEqual(await blobs.get(`${prefix}files/a/b/c/deep.bin`), new Uint8Array(binary));

    const listing = await artifacts.list({ orgId: "org", envId: "env", id: executionId });
    assert.equal(listing.tree[0]?.name, "a");
    assert.equal(listing.totalBytes, binary.length + JUNIT.length + 6);
    const report = await artifacts.report({ orgId: "org", envId: "env", id: executionId });
    assert.deepEqual(report.counts, { tests: 2, passed: 1, failed: 1, errors: 0, skipped: 0 });
    assert.equal(report.suites[0]?.cases[1]?.message, "nope");

    const before = await keysUnder(prefix);
    const again = await unpack(executionId, sha256);
    assert.equal(again.unpackedAt, index.unpackedAt, "a redelivered job finds the index and stops");
    assert.deepEqual(await keysUnder(prefix), before);
  });

  const hostile: Array<[string, TarEntrySpec[], RegExp]> = [
    [
      "path traversal",
      [
        { path: "ok.txt", data: "x" },
        { path: "../../escape.txt", data: "x" },
      ],
      /"\.\." path segment/,
    ],
    ["absolute path", [{ path: "/etc/cron.d/evil", data: "x" }], /absolute path/],
    [
      "symlink escape",
      [{ path: "link", type: "SymbolicLink", linkpath: "../../../etc/passwd" }],
      /symbolic link "link" points outside/,
    ],
    [
      "absolute symlink",
      [{ path: "d/link", type: "SymbolicLink", linkpath: "/etc/passwd" }],
      /points outside/,
    ],
    [
      "hard link escape",
      [{ path: "hl", type: "Link", linkpath: "../outside" }],
      /hard link "hl" points outside/,
    ],
    ["device file", [{ path: "dev", type: "CharacterDevice" }], /CharacterDevice, not a regular file/],
    ["fifo", [{ path: "pipe", type: "FIFO" }], /FIFO, not a regular file/],
  ];
  for (const [name, entries, reason] of hostile) {
    test(`refused: ${name}, with the reason recorded and no file written`, async () => {
      const { executionId, prefix } = await upload(entries);
      const index = await unpack(executionId);
      assert.equal(index.status, "rejected");
      assert.match(index.reason ?? "", reason);
      assert.deepEqual(await keysUnder(prefix), ["index/r1.json"]);
      assert.deepEqual(
        (await blobs.list("")).filter((o) => !o.key.startsWith("artifacts/")),
        [],
      );
    });
  }

  test("refused: too many files, too many bytes (plan limits)", async () => {
    limits = { ...limits, artifactFiles: 3 };
    const many = await upload(Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.txt`, data: "x" })));
    assert.match((await unpack(many.executionId)).reason ?? "", /more than 3 files/);
    limits = { ...(STORAGE_LIMITS.free as StorageLimits), artifactBytes: 1000 };
    const big = await upload([{ path: "big.bin", data: randomBytes(5000) }]);
    assert.match((await unpack(big.executionId)).reason ?? "", /more than 1000 bytes/);
    limits = { ...(STORAGE_LIMITS.free as StorageLimits) };
    assert.deepEqual(await keysUnder(big.prefix), ["index/r1.json"]);
  });

  test("refused: a compression bomb (ratio), found before it is inflated", async () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const { executionId, prefix } = await upload([{ path: "bomb.bin", data: zeros }]);
    const index = await unpack(executionId);
    assert.match(index.reason ?? "", /compression bomb: unpacks to more than 200 times its size/);
    assert.deepEqual(await keysUnder(prefix), ["index/r1.json"]);
  });

  test("refused: corrupt bundles (sha256 mismatch, not gzip)", async () => {
    const { executionId } = await upload([{ path: "a.txt", data: "a" }]);
    assert.match((await unpack(executionId, "0".repeat(64))).reason ?? "", /SHA-256 differs/);
    const notGzip = await upload(Buffer.from("this is not a tarball"));
    assert.match((await unpack(notGzip.executionId)).reason ?? "", /not a valid tar\.gz/);
  });

  test("a storage failure while files are stored in the background fails the job; the retry completes it", async () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({ path: `f${i}.txt`, data: `file ${i}\n` }));
    const { executionId, prefix } = await upload(entries);
    let puts = 0;
    const flaky: BlobStore = {
      ...blobs,
      async put(key, body, options) {
        if (key.includes("/files/") && ++puts === 5) throw new Error("storage unavailable");
        return blobs.put(key, body, options);
      },
    };
    const failing = createUnpacker({ blobs: flaky, artifacts, clock: systemClock });
    const request = { orgId: "org", envId: "env", executionId, bundleId: "r1", stepRef: "r1" };
    await assert.rejects(failing.unpack(request), /storage unavailable/);
    assert.ok(!(await keysUnder(prefix)).includes("index/r1.json"), "no index: the job is retried");
    const index = await unpacker.unpack(request);
    assert.equal(index.status, "unpacked");
    assert.deepEqual(index.files.map((f) => f.path).sort(), entries.map((e) => e.path).sort());
  });

  test("a sparse entry (6 GiB with holes) is listed as skipped with a reason, not dropped silently", async () => {
    const { executionId, sha256 } = await upload([
      { path: "disk.img", type: "SparseFile", data: randomBytes(1024), realSize: 6 * 1024 ** 3 },
      { path: "ok.txt", data: "fine\n" },
    ]);
    const index = await unpack(executionId, sha256);
    assert.equal(index.status, "unpacked", index.reason);
    assert.deepEqual(
      index.files.map((f) => f.path),
      ["ok.txt"],
    );
    assert.equal(index.skipped.length, 1);
    assert.equal(index.skipped[0]?.path, "disk.img");
    assert.match(index.skipped[0]?.reason ?? "", /sparse file .*not stored/);
  });

  test("entry paths are normalised or refused", () => {
    assert.equal(safeEntryPath("./a//b/./c"), "a/b/c");
    assert.throws(() => safeEntryPath("a/../../b"), /\.\./);
    assert.throws(() => safeEntryPath("C:\\x"), /absolute/);
    assert.throws(() => safeEntryPath("a\\..\\b"), /\.\./);
  });
});
