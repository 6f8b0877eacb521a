/**
 * Reading an execution's log back from object storage, chunked or compacted: the committed
 * length and the stored segments from an offset on. Nothing here is cached: readers run in
 * other processes than the writer.
 */
import { type ChunkRef, LogIndex, type LogSegment, logPrefix, parseChunkKey } from "./log-format.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import type { ObjectStore } from "./ports.ts";

export interface LogStorage {
  /** The log's chunks in offset order (none once compacted). */
  listChunks(prefix: string): Promise<ChunkRef[]>;
  /** The compacted log's index, or undefined while the log is still chunks. */
  readIndex(prefix: string): Promise<LogIndex | undefined>;
  /** The committed length: the compacted length, or the end of the chunks' contiguous run from 0. */
  storedLength(ref: ExecutionRef): Promise<number>;
  /** All stored segments from `from` on, in offset order, overlaps trimmed. */
  segments(ref: ExecutionRef, from?: number): Promise<LogSegment[]>;
}

/** The end of the contiguous run of chunks from offset 0. */
export const contiguousEnd = (chunks: ChunkRef[]): number => {
  let end = 0;
  for (const c of chunks) if (c.offset <= end) end = Math.max(end, c.offset + c.length);
  return end;
};

export function createLogStorage(blobs: ObjectStore): LogStorage {
  async function listChunks(prefix: string): Promise<ChunkRef[]> {
    const refs: ChunkRef[] = [];
    for (const { key } of await blobs.list(`${prefix}chunks/`)) {
      const ref = parseChunkKey(key);
      if (ref) refs.push(ref);
    }
    return refs.sort((a, b) => a.offset - b.offset);
  }

  async function readIndex(prefix: string): Promise<LogIndex | undefined> {
    const raw = await blobs.get(`${prefix}index.json`);
    return raw ? LogIndex.parse(JSON.parse(new TextDecoder().decode(raw))) : undefined;
  }

  async function storedLength(ref: ExecutionRef): Promise<number> {
    const prefix = logPrefix(ref);
    const index = await readIndex(prefix);
    return index ? index.length : contiguousEnd(await listChunks(prefix));
  }

  async function compactedSegments(prefix: string, index: LogIndex, from: number): Promise<LogSegment[]> {
    const out: LogSegment[] = [];
    const body =
      index.length > from ? await blobs.get(`${prefix}log`, { start: from, end: index.length }) : undefined;
    for (const s of index.segments) {
      const start = Math.max(s.offset, from);
      const end = s.offset + s.length;
      if (end <= start || !body) continue;
      out.push({
        offset: start,
        step: s.step,
        stream: s.stream ?? "stdout",
        data: body.subarray(start - from, end - from),
      });
    }
    return out;
  }

  async function segments(ref: ExecutionRef, from = 0): Promise<LogSegment[]> {
    const prefix = logPrefix(ref);
    const index = await readIndex(prefix);
    if (index) return compactedSegments(prefix, index, from);
    const out: LogSegment[] = [];
    let cursor = from;
    for (const chunk of await listChunks(prefix)) {
      const end = chunk.offset + chunk.length;
      if (end <= cursor) continue;
      if (chunk.offset > cursor) break; // a gap: nothing after it is committed yet
      const data = await blobs.get(chunk.key);
      if (!data) {
        // Compaction removed the chunks while we read them: the rest is in the compacted log.
        if (await readIndex(prefix)) out.push(...(await segments(ref, cursor)));
        break;
      }
      out.push({
        offset: cursor,
        step: chunk.step,
        stream: chunk.stream,
        data: data.subarray(cursor - chunk.offset),
      });
      cursor = end;
    }
    return out;
  }

  return { listChunks, readIndex, storedLength, segments };
}
