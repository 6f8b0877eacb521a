/**
 * Unpacks one uploaded artifact bundle (tar.gz) into individual objects, safely.
 *
 * The bundle is read twice, streaming: a first pass only checks it, a second writes it. A
 * bundle is refused as a whole (and nothing of it is written) when any entry has an absolute
 * path or a `..` segment, is a symbolic or hard link pointing outside the bundle, is a device,
 * FIFO or other special file, or when the bundle holds more files or bytes than the plan allows
 * the execution (counting other bundles already unpacked), unpacks to more than the plan's
 * ratio of its compressed size (a compression bomb), or does not match the SHA-256 the agent
 * reported. Links pointing inside are skipped (object storage has no links) and listed, and so
 * are entries the tar reader passes over (sparse files, volume labels, unknown types): every
 * entry of a bundle is either stored or listed with the reason it was not.
 *
 * Every key written is `files/` + a normalised relative path under the execution's prefix, so
 * nothing can land outside it. A refused bundle is deleted once its index records why. The per-bundle index is written last: its presence marks the
 * bundle done, which makes a redelivered job a no-op.
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
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
import { putStream } from "./blob-upload.ts";
import { contentTypeOf } from "./content-type.ts";
import { looksLikeJUnit, MAX_JUNIT_BYTES, parseJUnit } from "./junit.ts";
import type { Clock, ObjectStore } from "./ports.ts";

/** A bundle that must not be unpacked; the message is recorded as the reason. */
export class BundleRejectedError extends Error {}

export interface UnpackRequest {
  orgId: string;
  envId: string;
  executionId: string;
  bundleId: string;
  stepRef: string;
  /** Hex SHA-256 the agent computed; checked when present. */
  sha256?: string;
}

interface Budget {
  files: number;
  bytes: number;
  maxRatio: number;
  compressedBytes: number;
}

/** Ratio checks start after this many unpacked bytes (tiny bundles compress oddly well). */
const RATIO_GRACE_BYTES = 16 * 1024 * 1024;
const MAX_KEY_BYTES = 1024;
/** Files up to this size are read whole and stored in the background (see `pass`). */
const SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Small files' puts in flight during the writing pass. */
const PUTS_IN_FLIGHT = 4;

/** A safe relative path for `raw`, or a rejection. */
export function safeEntryPath(raw: string): string {
  if (raw.includes("\0")) throw new BundleRejectedError(`entry "${raw}" has a NUL byte in its path`);
  const path = raw.replace(/\\/g, "/");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    throw new BundleRejectedError(`entry "${raw}" has an absolute path`);
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new BundleRejectedError(`entry "${raw}" has a ".." path segment`);
  return parts.join("/");
}

/** Whether a link at `path` with `target` stays inside the bundle (`hard`: target from the root). */
const linkStaysInside = (path: string, target: string, hard: boolean): boolean => {
  const t = target.replace(/\\/g, "/");
  if (t.startsWith("/") || /^[A-Za-z]:/.test(t)) return false;
  const resolved = posix.normalize(hard ? t : posix.join(posix.dirname(path), t));
  return resolved !== ".." && !resolved.startsWith("../");
};

/** Why the tar reader passed over an entry. */
const ignoredReason = (entry: ReadEntry): string =>
  entry.meta
    ? `extended header of ${entry.size} bytes is too large (ignored)`
    : entry.type === "SparseFile"
      ? `sparse file of ${entry.size} stored bytes (not stored: sparse entries are not supported; archive without --sparse)`
      : `${entry.type} entry (not stored: not a regular file)`;

/**
 * tar is loaded on the first bundle unpacked: the API Lambda builds the unpacker with the core
 * but never unpacks (the unpacking worker does), and tar is ~85 KB of start-up code.
 */
let tar: Promise<typeof import("tar")> | undefined;
const loadTar = (): Promise<typeof import("tar")> => {
  tar ??= import("tar");
  tar.catch(() => {
    tar = undefined; // a failed load is retried on the next bundle
  });
  return tar;
};

export function createUnpacker(deps: { blobs: ObjectStore; artifacts: ArtifactService; clock: Clock }) {
  const { blobs, artifacts, clock } = deps;

  /** One pass over the bundle. `write` false only checks; true writes files and returns them. */
  async function pass(
    key: string,
    prefix: string,
    request: UnpackRequest,
    budget: Budget,
    write: boolean,
    /** Receives the files as they are written, so a failed pass can remove them. */
    files: ArtifactFile[] = [],
  ): Promise<{
    files: ArtifactFile[];
    skipped: BundleIndex["skipped"];
    junit: Array<{ path: string; data: Buffer }>;
    sha256: string;
  }> {
    const { Parser } = await loadTar();
    const source = await blobs.getStream(key);
    if (!source) throw new BundleRejectedError("the bundle is missing from storage");
    const skipped: BundleIndex["skipped"] = [];
    const junit: Array<{ path: string; data: Buffer }> = [];
    const bundleHash = createHash("sha256");
    let unpacked = 0;
    let declared = 0;
    let failure: Error | undefined;
    let chain: Promise<void> = Promise.resolve();
    /** Small files' puts in flight (they never reject: a failure is recorded in `failure`). */
    const puts = new Set<Promise<void>>();
    const parser = new Parser({ strict: true, noResume: true });
    const parsed = new Promise<void>((resolve, reject) => {
      parser.on("end", resolve);
      parser.on("error", reject);
    });

    const handle = async (entry: ReadEntry) => {
      if (failure) return void entry.resume();
      const path = safeEntryPath(entry.path);
      switch (entry.type) {
        case "Directory":
          return void entry.resume();
        case "SymbolicLink":
        case "Link": {
          const hard = entry.type === "Link";
          if (!linkStaysInside(path, entry.linkpath ?? "", hard)) {
            throw new BundleRejectedError(
              `${hard ? "hard" : "symbolic"} link "${entry.path}" points outside the bundle`,
            );
          }
          skipped.push({
            path,
            reason: `${hard ? "hard" : "symbolic"} link to ${entry.linkpath} (not stored)`,
          });
          return void entry.resume();
        }
        case "File":
        case "OldFile":
        case "ContiguousFile":
          break;
        default:
          throw new BundleRejectedError(`entry "${entry.path}" is a ${entry.type}, not a regular file`);
      }
      if (path === "") throw new BundleRejectedError(`entry "${entry.path}" has an empty path`);
      if (Buffer.byteLength(fileKey(prefix, path)) > MAX_KEY_BYTES) {
        throw new BundleRejectedError(`entry "${entry.path}" has a path too long to store`);
      }
      if (files.length + 1 > budget.files) {
        throw new BundleRejectedError(`more than ${budget.files} files (the plan's limit for an execution)`);
      }
      declared += entry.size;
      if (declared > budget.bytes) {
        throw new BundleRejectedError(
          `more than ${budget.bytes} bytes unpacked (the plan's limit for an execution)`,
        );
      }
      const keepXml = path.toLowerCase().endsWith(".xml") && entry.size <= MAX_JUNIT_BYTES;
      const kept: Buffer[] = [];
      if (!write) {
        for await (const _chunk of entry) {
          // Only checking: the bytes pass through the meter, nothing is kept.
        }
        files.push({
          path,
          size: entry.size,
          contentType: "",
          sha256: "0".repeat(64),
          bundleId: request.bundleId,
        });
        return;
      }
      const contentType = contentTypeOf(path);
      if (entry.size <= SMALL_FILE_BYTES) {
        // Small files are read whole and stored in the background, a few at a time, while the
        // archive is read on: most of a bundle is small files, and one put at a time left the
        // unpacker waiting on each round trip. Memory stays at a few small files.
        const parts: Buffer[] = [];
        for await (const chunk of entry) parts.push(chunk as Buffer);
        const data = Buffer.concat(parts);
        files.push({
          path,
          size: data.length,
          contentType,
          sha256: createHash("sha256").update(data).digest("hex"),
          bundleId: request.bundleId,
        });
        if (keepXml && looksLikeJUnit(data)) junit.push({ path, data });
        const put: Promise<void> = blobs.put(fileKey(prefix, path), data, { contentType }).then(
          () => void puts.delete(put),
          (error: Error) => {
            puts.delete(put);
            failure ??= error;
          },
        );
        puts.add(put);
        while (puts.size >= PUTS_IN_FLIGHT) await Promise.race(puts);
        return;
      }
      const body = async function* () {
        for await (const chunk of entry) {
          if (keepXml) kept.push(chunk as Buffer);
          yield chunk as Uint8Array;
        }
      };
      const stored = await putStream(blobs, fileKey(prefix, path), body(), { contentType });
      files.push({ path, size: stored.size, contentType, sha256: stored.sha256, bundleId: request.bundleId });
      if (keepXml) {
        const data = Buffer.concat(kept);
        if (looksLikeJUnit(data)) junit.push({ path, data });
      }
    };

    // Entries the reader does not hand out (it resumes them itself) get a recorded reason.
    parser.on("ignoredEntry", (entry: ReadEntry) => {
      chain = chain.then(() => {
        try {
          skipped.push({ path: safeEntryPath(entry.path), reason: ignoredReason(entry) });
        } catch (error) {
          failure ??= error as Error;
        }
      });
    });
    parser.on("entry", (entry: ReadEntry) => {
      chain = chain.then(() =>
        handle(entry).catch((error: Error) => {
          failure ??= error;
          entry.resume();
        }),
      );
    });

    await pipeline(
      Readable.from(source),
      async function* hashCompressed(input: AsyncIterable<Buffer>) {
        for await (const chunk of input) {
          bundleHash.update(chunk);
          yield chunk;
        }
      },
      createGunzip(),
      async function* meter(input: AsyncIterable<Buffer>) {
        for await (const chunk of input) {
          unpacked += chunk.length;
          // Tar framing adds 512 bytes a header plus padding: allow it on top of the byte budget.
          if (unpacked > budget.bytes + (budget.files + 1) * 1024 + 1024 * 1024) {
            throw new BundleRejectedError(
              `compression bomb: unpacks to more than the plan's ${budget.bytes} bytes`,
            );
          }
          if (
            unpacked > RATIO_GRACE_BYTES &&
            unpacked / Math.max(1, budget.compressedBytes) > budget.maxRatio
          ) {
            throw new BundleRejectedError(
              `compression bomb: unpacks to more than ${budget.maxRatio} times its size`,
            );
          }
          if (failure) throw failure;
          yield chunk;
        }
      },
      async (input: AsyncIterable<Buffer>) => {
        for await (const chunk of input) {
          if (failure) throw failure;
          if (!parser.write(chunk))
            await new Promise<void>((resolve) => parser.once("drain", () => resolve()));
        }
        parser.end();
        await parsed;
        await chain;
      },
    ).catch(async (error: Error & { code?: string }) => {
      // Puts still in flight land before the caller removes what this pass wrote.
      await Promise.all(puts);
      if (failure) throw failure;
      // A corrupt archive stays corrupt: refuse it rather than retry it into the DLQ.
      if (/^(Z_|TAR_)/.test(error.code ?? "") || error.message.includes("incorrect header check")) {
        throw new BundleRejectedError(`not a valid tar.gz: ${error.message}`);
      }
      throw error;
    });
    await chain;
    await Promise.all(puts);
    if (failure) throw failure;
    return { files, skipped, junit, sha256: bundleHash.digest("hex") };
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
          unpackedAt: new Date(clock.now()).toISOString(),
        });
        await blobs.delete([key]);
        return index;
      };
      if (compressedBytes === undefined) return rejected("the bundle is missing from storage");

      const limits = await artifacts.limitsFor(orgId);
      const others = (await artifacts.readIndexes(prefix)).flatMap((i) => i.files);
      const budget: Budget = {
        files: Math.max(0, limits.artifactFiles - others.length),
        bytes: Math.max(0, limits.artifactBytes - others.reduce((s, f) => s + f.size, 0)),
        maxRatio: limits.maxCompressionRatio,
        compressedBytes,
      };
      const written: ArtifactFile[] = [];
      try {
        const checked = await pass(key, prefix, request, budget, false);
        if (request.sha256 && checked.sha256 !== request.sha256) {
          throw new BundleRejectedError("the bundle's SHA-256 differs from what the agent uploaded");
        }
        const result = await pass(key, prefix, request, budget, true, written);
        const suites: TestSuite[] = [];
        const unreadable: Array<{ source: string; reason: string }> = [];
        for (const { path, data } of result.junit) {
          try {
            suites.push(...(await parseJUnit(data, path)));
          } catch (error) {
            unreadable.push({ source: path, reason: (error as Error).message });
          }
        }
        if (suites.length > 0 || unreadable.length > 0) {
          await blobs.put(
            reportKey(prefix, bundleId),
            new TextEncoder().encode(JSON.stringify({ suites, unreadable })),
            {
              contentType: "application/json",
            },
          );
        }
        return await record({
          ...base,
          status: "unpacked",
          files: result.files,
          skipped: result.skipped,
          unpackedAt: new Date(clock.now()).toISOString(),
        });
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
