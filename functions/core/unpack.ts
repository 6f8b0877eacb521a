/**
 * Unpacks one uploaded artifact bundle (tar.gz) into individual objects, safely.
 *
 * The bundle is read twice, streaming (`bundle-stream.ts`): a first pass only checks it, a
 * second writes it (`bundle-files.ts`). A bundle is refused as a whole (and nothing of it is
 * written) when any entry is not allowed (`bundle-entries.ts`), when the bundle holds more files
 * or bytes than the plan allows the execution (counting other bundles already unpacked),
 * unpacks to more than the plan's ratio of its compressed size (a compression bomb), or does
 * not match the SHA-256 the agent reported. Every entry of a bundle is either stored or listed
 * with the reason it was not.
 *
 * Every key written is `files/` + a normalised relative path under the execution's prefix, so
 * nothing can land outside it. A refused bundle is deleted once its index records why. The
 * per-bundle index is written last: its presence marks the bundle done, which makes a
 * redelivered job a no-op.
 */
import type { ArtifactFile, BundleIndex, TestSuite } from "@assay/shared";
import type { ReadEntry } from "tar";
import {
  type ArtifactService,
  artifactPrefix,
  bundleKey,
  fileKey,
  indexKey,
  reportKey,
} from "./artifacts.ts";
import {
  type BundleBudget,
  BundleRejectedError,
  checkFileEntry,
  entryVerdict,
  ignoredReason,
  safeEntryPath,
} from "./bundle-entries.ts";
import { createFileStore, type JUnitCandidate } from "./bundle-files.ts";
import { type ReadFailure, readBundle } from "./bundle-stream.ts";
import { parseJUnit } from "./junit.ts";
import type { Clock, ObjectStore } from "./ports.ts";

export { BundleRejectedError, safeEntryPath } from "./bundle-entries.ts";

export interface UnpackRequest {
  orgId: string;
  envId: string;
  executionId: string;
  bundleId: string;
  stepRef: string;
  /** Hex SHA-256 the agent computed; checked when present. */
  sha256?: string;
}

interface PassResult {
  files: ArtifactFile[];
  skipped: BundleIndex["skipped"];
  junit: JUnitCandidate[];
  sha256: string;
}

/** A checking pass's stand-in for a file: counted, not stored. */
const checkedFile = (path: string, size: number, bundleId: string): ArtifactFile => ({
  path,
  size,
  contentType: "",
  sha256: "0".repeat(64),
  bundleId,
});

/** Consumes an entry only to meter its bytes. */
async function drain(entry: ReadEntry): Promise<void> {
  for await (const _chunk of entry) {
    // Only checking: the bytes pass through the meter, nothing is kept.
  }
}

/**
 * One pass over the bundle at `key`. `write` false only checks; true writes the files into
 * `files` as they are stored, so a failed pass can remove them.
 */
async function pass(
  blobs: ObjectStore,
  at: { key: string; prefix: string; bundleId: string },
  budget: BundleBudget,
  write: boolean,
  files: ArtifactFile[] = [],
): Promise<PassResult> {
  const source = await blobs.getStream(at.key);
  if (!source) throw new BundleRejectedError("the bundle is missing from storage");
  const skipped: BundleIndex["skipped"] = [];
  const junit: JUnitCandidate[] = [];
  const failure: ReadFailure = { error: undefined };
  const store = createFileStore({ blobs, prefix: at.prefix, bundleId: at.bundleId, files, junit, failure });
  let declaredBytes = 0;
  const entry = async (entry: ReadEntry) => {
    if (failure.error) return void entry.resume();
    const path = safeEntryPath(entry.path);
    const verdict = entryVerdict(entry, path);
    if (verdict.kind === "skipped") skipped.push(verdict.skipped);
    if (verdict.kind !== "file") return void entry.resume();
    declaredBytes += entry.size;
    checkFileEntry(entry, path, at.prefix, budget, { fileNumber: files.length + 1, declaredBytes });
    if (write) return store.store(entry, path);
    await drain(entry);
    files.push(checkedFile(path, entry.size, at.bundleId));
  };
  const ignored = (entry: ReadEntry) => {
    skipped.push({ path: safeEntryPath(entry.path), reason: ignoredReason(entry) });
  };
  const sha256 = await readBundle(source, budget, { entry, ignored, settle: store.settle }, failure);
  return { files, skipped, junit, sha256 };
}

/** Parses the JUnit reports found and stores them as the bundle's report (when there is any). */
async function storeReport(blobs: ObjectStore, key: string, junit: JUnitCandidate[]): Promise<void> {
  const suites: TestSuite[] = [];
  const unreadable: Array<{ source: string; reason: string }> = [];
  for (const { path, data } of junit) {
    try {
      suites.push(...(await parseJUnit(data, path)));
    } catch (error) {
      unreadable.push({ source: path, reason: (error as Error).message });
    }
  }
  if (suites.length === 0 && unreadable.length === 0) return;
  await blobs.put(key, new TextEncoder().encode(JSON.stringify({ suites, unreadable })), {
    contentType: "application/json",
  });
}

export function createUnpacker(deps: { blobs: ObjectStore; artifacts: ArtifactService; clock: Clock }) {
  const { blobs, artifacts, clock } = deps;

  /** What the bundle may still hold: the plan's limits less the execution's other bundles. */
  async function budgetFor(orgId: string, prefix: string, compressedBytes: number): Promise<BundleBudget> {
    const limits = await artifacts.limitsFor(orgId);
    const others = (await artifacts.readIndexes(prefix)).flatMap((i) => i.files);
    return {
      files: Math.max(0, limits.artifactFiles - others.length),
      bytes: Math.max(0, limits.artifactBytes - others.reduce((s, f) => s + f.size, 0)),
      maxRatio: limits.maxCompressionRatio,
      compressedBytes,
    };
  }

  return {
    /** Unpacks a bundle (idempotent: a bundle with an index is done). Returns its index. */
    async unpack(request: UnpackRequest): Promise<BundleIndex> {
      const { orgId, envId, executionId, bundleId } = request;
      const prefix = artifactPrefix({ orgId, envId, id: executionId });
      const key = bundleKey(prefix, bundleId);
      const existing = (await artifacts.readIndexes(prefix)).find((i) => i.bundleId === bundleId);
      if (existing) {
        // A redelivery finishes what a crash interrupted: a refused bundle is not kept.
        if (existing.status === "rejected") await blobs.delete([key]);
        return existing;
      }
      const compressedBytes = await blobs.head(key);
      const base = { bundleId, stepRef: request.stepRef, bundleBytes: compressedBytes ?? 0, skipped: [] };
      const unpackedAt = () => new Date(clock.now()).toISOString();
      const record = async (index: BundleIndex) => {
        await blobs.put(indexKey(prefix, bundleId), new TextEncoder().encode(JSON.stringify(index)), {
          contentType: "application/json",
        });
        return index;
      };
      // The index keeps the reason; the refused bytes do not stay in storage.
      const rejected = async (reason: string) => {
        const index = await record({
          ...base,
          status: "rejected",
          reason,
          files: [],
          unpackedAt: unpackedAt(),
        });
        await blobs.delete([key]);
        return index;
      };
      if (compressedBytes === undefined) return rejected("the bundle is missing from storage");

      const budget = await budgetFor(orgId, prefix, compressedBytes);
      const at = { key, prefix, bundleId };
      const written: ArtifactFile[] = [];
      try {
        const checked = await pass(blobs, at, budget, false);
        if (request.sha256 && checked.sha256 !== request.sha256) {
          throw new BundleRejectedError("the bundle's SHA-256 differs from what the agent uploaded");
        }
        const result = await pass(blobs, at, budget, true, written);
        await storeReport(blobs, reportKey(prefix, bundleId), result.junit);
        const { files, skipped } = result;
        return await record({ ...base, status: "unpacked", files, skipped, unpackedAt: unpackedAt() });
      } catch (error) {
        if (!(error instanceof BundleRejectedError)) throw error;
        // Only possible when the bundle changed between the passes: drop what the second wrote.
        await blobs.delete(written.map((f) => fileKey(prefix, f.path)));
        return rejected(error.message);
      }
    },
  };
}

export type Unpacker = ReturnType<typeof createUnpacker>;
