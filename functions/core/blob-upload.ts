/**
 * Streams bytes of unknown length into object storage without holding them in memory: one PUT
 * when they fit in a part, otherwise a multipart upload in `partSize` pieces (aborted on
 * failure). Computes size and SHA-256 on the way, so callers can index what they stored.
 */
import { createHash } from "node:crypto";
import type { ObjectStore } from "./ports.ts";

/** Default part size: above S3's 5 MiB minimum and below the local stand-in's 11 MiB body limit. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;
const MAX_IN_FLIGHT = 4;

export interface StoredBlob {
  size: number;
  sha256: string;
}

/** Writes `source` to `key`; resolves with its size and hex SHA-256. */
export async function putStream(
  blobs: ObjectStore,
  key: string,
  source: AsyncIterable<Uint8Array>,
  options: { contentType?: string; partBytes?: number } = {},
): Promise<StoredBlob> {
  const partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
  const hash = createHash("sha256");
  let size = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let uploadId: string | undefined;
  const parts: Array<{ partNumber: number; etag: string }> = [];
  const inFlight = new Set<Promise<void>>();
  let partCount = 0;

  const flushPart = async (final: boolean) => {
    while (pendingBytes >= partBytes || (final && pendingBytes > 0)) {
      const all = Buffer.concat(pending);
      const body = all.subarray(0, Math.min(partBytes, all.length));
      const rest = all.subarray(body.length);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
      uploadId ??= await blobs.createMultipart(key, { contentType: options.contentType });
      const partNumber = ++partCount;
      const id = uploadId;
      const upload = blobs.uploadPart(key, id, partNumber, body).then((etag) => {
        parts.push({ partNumber, etag });
        inFlight.delete(upload);
      });
      inFlight.add(upload);
      // A few parts in flight hide the storage's latency; memory stays at a few parts.
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    }
  };

  try {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.byteLength;
      pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= partBytes && (uploadId !== undefined || pendingBytes > partBytes)) {
        await flushPart(false);
      }
    }
    if (uploadId === undefined) {
      await blobs.put(key, Buffer.concat(pending), { contentType: options.contentType });
    } else {
      await flushPart(true);
      await Promise.all(inFlight);
      parts.sort((a, b) => a.partNumber - b.partNumber);
      await blobs.completeMultipart(key, uploadId, parts);
    }
  } catch (error) {
    await Promise.allSettled(inFlight);
    if (uploadId !== undefined) await blobs.abortMultipart(key, uploadId).catch(() => {});
    throw error;
  }
  return { size, sha256: hash.digest("hex") };
}
