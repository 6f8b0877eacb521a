/**
 * Artifact unpack throughput: the worker's unpacker (functions/core/unpack.ts: a checking pass
 * and a writing pass over the gzip stream from storage, one object per file, an index) on a
 * bundle shaped like test output (text logs, JUnit XML, incompressible screenshots), storage
 * being fauxqs in this process. Figure = unpacked bytes / wall time.
 *
 * Baseline in the same run: `tar -xzf` of the same bundle into a directory, then raw puts of
 * every file to the same fauxqs bucket, 4 at a time (the unpacker's multipart concurrency).
 */

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { systemClock } from "@assay/shared";
import { createS3BlobStore } from "../../../functions/adapters/aws/s3-blob-store.ts";
import { startLocalFauxqs } from "../../../functions/adapters/local/fauxqs.ts";
import { artifactPrefix, bundleKey, createArtifactService } from "../../../functions/core/artifacts.ts";
import { putStream } from "../../../functions/core/blob-upload.ts";
import { createUnpacker } from "../../../functions/core/unpack.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";

const RUNS = runCount(5);
const SCALE = quick ? 1 : 4;

/** Writes a bundle's files: per unit 20 logs of 200 KB, 10 JUnit files, 10 screenshots of 300 KB. */
function writeTree(dir: string) {
  const line = (i: number) =>
    `2026-01-01T00:00:${String(i % 60).padStart(2, "0")}Z INFO test ${i} passed in ${i % 97} ms\n`;
  for (let u = 0; u < SCALE; u++) {
    mkdirSync(join(dir, `u${u}/logs`), { recursive: true });
    mkdirSync(join(dir, `u${u}/junit`), { recursive: true });
    mkdirSync(join(dir, `u${u}/screenshots`), { recursive: true });
    const text = Array.from({ length: 3_500 }, (_, i) => line(i)).join("");
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `u${u}/logs/test-${i}.log`), text);
    const cases = Array.from(
      { length: 200 },
      (_, i) => `<testcase name="case ${i}" classname="suite" time="0.01"/>`,
    );
    for (let i = 0; i < 10; i++) {
      writeFileSync(
        join(dir, `u${u}/junit/TEST-${i}.xml`),
        `<?xml version="1.0"?><testsuite name="s${i}" tests="200">${cases.join("")}</testsuite>`,
      );
    }
    for (let i = 0; i < 10; i++)
      writeFileSync(join(dir, `u${u}/screenshots/shot-${i}.png`), randomBytes(300_000));
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

const work = mkdtempSync(join(tmpdir(), "assay-bench-unpack-"));
const fauxqs = await startLocalFauxqs();
try {
  const blobs = await createS3BlobStore({
    client: fauxqs.s3Client,
    bucket: "bench-unpack",
    createBucket: true,
  });
  const clock = systemClock;
  const artifacts = createArtifactService({
    blobs,
    jobs: { send: async () => {} },
    orgStore: { getOrg: async () => undefined },
    clock,
  });
  const unpacker = createUnpacker({ blobs, artifacts, clock });
  writeTree(join(work, "tree"));
  execFileSync("tar", ["-czf", join(work, "bundle.tar.gz"), "-C", join(work, "tree"), "."]);
  const bundle = readFileSync(join(work, "bundle.tar.gz"));
  const files = listFiles(join(work, "tree"));
  const unpackedBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  progress(
    `bundle: ${files.length} files, ${(unpackedBytes / 1e6).toFixed(1)} MB unpacked, ${(bundle.length / 1e6).toFixed(1)} MB gzipped`,
  );

  let n = 0;
  async function unpackOnce(): Promise<number> {
    const executionId = `ex-${n++}`;
    // Uploaded as the agent does: multipart past one part (the stand-in refuses big single PUTs).
    await putStream(
      blobs,
      bundleKey(artifactPrefix({ orgId: "o", envId: "e", id: executionId }), "b1"),
      (async function* () {
        yield bundle;
      })(),
    );
    const t0 = performance.now();
    const index = await unpacker.unpack({
      orgId: "o",
      envId: "e",
      executionId,
      bundleId: "b1",
      stepRef: "run",
    });
    const seconds = (performance.now() - t0) / 1_000;
    if (index.status !== "unpacked") throw new Error(`bundle refused: ${JSON.stringify(index)}`);
    return unpackedBytes / seconds / 1e6;
  }

  async function baselineOnce(): Promise<number> {
    const out = join(work, `raw-${n++}`);
    mkdirSync(out);
    const t0 = performance.now();
    execFileSync("tar", ["-xzf", join(work, "bundle.tar.gz"), "-C", out]);
    const queue = listFiles(out);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
          await blobs.put(`raw/${n}/${relative(out, f)}`, readFileSync(f));
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1_000;
    rmSync(out, { recursive: true, force: true });
    return unpackedBytes / seconds / 1e6;
  }

  await unpackOnce();
  await baselineOnce();
  const system: number[] = [];
  const baseline: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    system.push(await unpackOnce());
    baseline.push(await baselineOnce());
    progress(
      `unpack run ${r + 1}/${RUNS}: worker ${system.at(-1)?.toFixed(1)} MB/s, tar -xzf + puts ${baseline.at(-1)?.toFixed(1)} MB/s`,
    );
  }
  report([
    figure({
      id: "unpack.throughput",
      name: "artifact unpack throughput (worker)",
      unit: "MB/s",
      runs: system,
      baseline: { name: "tar -xzf + raw puts (4 in flight)", runs: baseline },
      target: ">= 0.5x baseline",
      meets: (_v, ratio) => (ratio ?? 0) >= 0.5,
      notes: [
        `${files.length} files, ${(unpackedBytes / 1e6).toFixed(1)} MB unpacked from ${(bundle.length / 1e6).toFixed(1)} MB`,
      ],
    }),
  ]);
} finally {
  await fauxqs.stop();
  rmSync(work, { recursive: true, force: true });
}
