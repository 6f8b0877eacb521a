/**
 * Storing an artifact bundle's files as objects under `files/` of the execution's prefix, with
 * their sizes, content types and SHA-256s, and keeping the JUnit reports among them for parsing.
 * Small files are read whole and stored in the background, a few at a time, while the archive
 * is read on: most of a bundle is small files, and one put at a time left the unpacker waiting
 * on each round trip. Memory stays at a few small files. Larger files are streamed.
 */
import { createHash } from "node:crypto";
import type { ArtifactFile } from "@assay/shared";
import type { ReadEntry } from "tar";
import { fileKey } from "./artifacts.ts";
import { putStream } from "./blob-upload.ts";
import type { ReadFailure } from "./bundle-stream.ts";
import { contentTypeOf } from "./content-type.ts";
import { looksLikeJUnit, MAX_JUNIT_BYTES } from "./junit.ts";
import type { ObjectStore } from "./ports.ts";

/** Files up to this size are read whole and stored in the background. */
const SMALL_FILE_BYTES = 4 * 1024 * 1024;
/** Small files' puts in flight. */
const PUTS_IN_FLIGHT = 4;

export interface JUnitCandidate {
  path: string;
  data: Buffer;
}

export interface FileStore {
  /** Stores the file entry at the safe `path` (its put may still be in flight on return). */
  store(entry: ReadEntry, path: string): Promise<void>;
  /** Waits for the puts in flight (never rejects: a failed put is recorded in the failure). */
  settle(): Promise<void>;
}

export function createFileStore(deps: {
  blobs: ObjectStore;
  prefix: string;
  bundleId: string;
  /** Receives the files as they are written, so a failed bundle can remove them. */
  files: ArtifactFile[];
  junit: JUnitCandidate[];
  failure: ReadFailure;
}): FileStore {
  const { blobs, prefix, bundleId, files, junit, failure } = deps;
  /** Small files' puts in flight (they never reject: a failure is recorded in `failure`). */
  const puts = new Set<Promise<void>>();

  async function storeSmall(entry: ReadEntry, path: string, contentType: string, keepXml: boolean) {
    const parts: Buffer[] = [];
    for await (const chunk of entry) parts.push(chunk as Buffer);
    const data = Buffer.concat(parts);
    const sha256 = createHash("sha256").update(data).digest("hex");
    files.push({ path, size: data.length, contentType, sha256, bundleId });
    if (keepXml && looksLikeJUnit(data)) junit.push({ path, data });
    const put: Promise<void> = blobs.put(fileKey(prefix, path), data, { contentType }).then(
      () => void puts.delete(put),
      (error: Error) => {
        puts.delete(put);
        failure.error ??= error;
      },
    );
    puts.add(put);
    while (puts.size >= PUTS_IN_FLIGHT) await Promise.race(puts);
  }

  async function storeLarge(entry: ReadEntry, path: string, contentType: string, keepXml: boolean) {
    const kept: Buffer[] = [];
    const body = async function* () {
      for await (const chunk of entry) {
        if (keepXml) kept.push(chunk as Buffer);
        yield chunk as Uint8Array;
      }
    };
    const stored = await putStream(blobs, fileKey(prefix, path), body(), { contentType });
    files.push({ path, size: stored.size, contentType, sha256: stored.sha256, bundleId });
    if (keepXml) {
      const data = Buffer.concat(kept);
      if (looksLikeJUnit(data)) junit.push({ path, data });
    }
  }

  return {
    store(entry, path) {
      const keepXml = path.toLowerCase().endsWith(".xml") && entry.size <= MAX_JUNIT_BYTES;
      const contentType = contentTypeOf(path);
      return entry.size <= SMALL_FILE_BYTES
        ? storeSmall(entry, path, contentType, keepXml)
        : storeLarge(entry, path, contentType, keepXml);
    },
    settle: async () => void (await Promise.all(puts)),
  };
}
