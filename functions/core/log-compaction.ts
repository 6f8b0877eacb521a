/**
 * Compaction of a finished execution's log: its chunks are rewritten as one `log` object plus
 * an `index.json` of the segments, then removed. Readers see the same bytes either way.
 */
import { putStream } from "./blob-upload.ts";
import { type LogIndex, logPrefix } from "./log-format.ts";
import type { LogStorage } from "./log-storage.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import type { ObjectStore } from "./ports.ts";

/** Rewrites the chunks as one object plus an index, then removes the chunks (idempotent). */
export async function compactLog(blobs: ObjectStore, storage: LogStorage, ref: ExecutionRef): Promise<void> {
  const prefix = logPrefix(ref);
  if (await storage.readIndex(prefix)) return;
  const chunks = await storage.listChunks(prefix);
  const parts = await storage.segments(ref);
  const index: LogIndex = {
    length: parts.reduce((sum, p) => sum + p.data.length, 0),
    segments: parts.map((p) => ({
      offset: p.offset,
      length: p.data.length,
      step: p.step,
      ...(p.stream === "stderr" ? { stream: "stderr" as const } : {}),
    })),
  };
  // Streamed (multipart past one part): a whole log can exceed what one PUT takes (the
  // local stand-in refuses bodies over ~11 MiB; S3 over 5 GiB).
  const body = (async function* () {
    for (const p of parts) yield p.data;
  })();
  await putStream(blobs, `${prefix}log`, body, { contentType: "application/octet-stream" });
  await blobs.put(`${prefix}index.json`, new TextEncoder().encode(JSON.stringify(index)), {
    contentType: "application/json",
  });
  await blobs.delete(chunks.map((c) => c.key));
}
