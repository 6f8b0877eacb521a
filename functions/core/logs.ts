/**
 * Execution logs in object storage. Each execution's log is one byte stream (all steps'
 * output in arrival order); the ingress stores it as chunk objects keyed by byte offset
 * (`logs/{org}/{env}/{exec}/chunks/{offset}-{length}-{step}`, with `~stderr` appended for bytes
 * the step wrote to stderr) and acknowledges an offset only after the chunk is stored. The chunk keys themselves are the record of what is committed, so
 * no per-chunk database write is needed and a new ingress instance recovers the committed
 * offset by listing. After completion the chunks are compacted into `log` + `index.json`;
 * readers see the same bytes either way. Every segment carries its output stream; a chunk key
 * or index entry without one (written before streams were kept) is stdout.
 */
import { createTtlCache, type OutputStream } from "@assay/shared";
import * as z from "zod";
import { putStream } from "./blob-upload.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import { type Bus, type Clock, type ObjectStore, systemClock } from "./ports.ts";

export const logSubject = (executionId: string): string => `exec.${executionId}.log`;

export interface LogSegment {
  offset: number;
  step: string;
  /** The stream that wrote the bytes; absent is stdout (readers always set it). */
  stream?: OutputStream | undefined;
  data: Uint8Array;
}

interface ChunkRef {
  key: string;
  offset: number;
  length: number;
  step: string;
  stream: OutputStream;
}

/** A chunk's key ends with its offset, length and step, then `~stderr` for stderr bytes. */
const CHUNK_KEY = /\/chunks\/(\d{16})-(\d{10})-([A-Za-z0-9._-]+)(~stderr)?$/;
const STDERR_SUFFIX = "~stderr";
const pad = (n: number, width: number) => String(n).padStart(width, "0");

export const logPrefix = ({ orgId, envId, id }: ExecutionRef) => `logs/${orgId}/${envId}/${id}/`;

/**
 * Index of a compacted log: the segments in order, with their step refs and streams (an entry
 * without `stream`, as indexes written before streams were kept have, is stdout).
 */
export const LogIndex = z.object({
  length: z.number().int().nonnegative(),
  segments: z.array(
    z.object({
      offset: z.number().int(),
      length: z.number().int(),
      step: z.string(),
      stream: z.literal("stderr").optional(),
    }),
  ),
});
export type LogIndex = z.infer<typeof LogIndex>;

/** The bus flag of a stderr segment: the high bit of the step ref's length byte (refs are <= 64). */
const STDERR_FLAG = 0x80;

/**
 * Encodes a live log segment for the bus: 8-byte offset, step ref length (its high bit set for
 * stderr) + ref, then the data. A stdout segment encodes as before streams were kept.
 */
export function encodeSegment(segment: LogSegment): Uint8Array {
  const step = new TextEncoder().encode(segment.step);
  if (step.length >= STDERR_FLAG) throw new Error(`log step ref too long for the bus: ${segment.step}`);
  const out = new Uint8Array(9 + step.length + segment.data.length);
  new DataView(out.buffer).setFloat64(0, segment.offset);
  out[8] = step.length | (segment.stream === "stderr" ? STDERR_FLAG : 0);
  out.set(step, 9);
  out.set(segment.data, 9 + step.length);
  return out;
}

export function decodeSegment(bytes: Uint8Array): LogSegment {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthByte = bytes[8] ?? 0;
  const stepLength = lengthByte & ~STDERR_FLAG;
  return {
    offset: view.getFloat64(0),
    step: new TextDecoder().decode(bytes.subarray(9, 9 + stepLength)),
    stream: lengthByte & STDERR_FLAG ? "stderr" : "stdout",
    data: bytes.subarray(9 + stepLength),
  };
}

/** Default per-execution log limit: 1 GiB (the plans' default). */
export const DEFAULT_MAX_LOG_BYTES = 1024 ** 3;

/** Index of the byte after the last of `lines` trailing lines in `data` (a trailing newline ends the last line). */
export function tailStart(data: Uint8Array, lines: number): number {
  if (lines <= 0) return data.length;
  let seen = 0;
  // A final newline terminates the last line; it does not start an empty one.
  let i = data.length - 1;
  if (data[i] === 0x0a) i--;
  for (; i >= 0; i--) {
    if (data[i] === 0x0a && ++seen === lines) return i + 1;
  }
  return 0;
}

/** The parts of `parts` before log offset `end`. */
function clipSegments(parts: LogSegment[], end: number): LogSegment[] {
  return parts
    .filter((p) => p.offset < end)
    .map((p) => (p.offset + p.data.length <= end ? p : { ...p, data: p.data.subarray(0, end - p.offset) }));
}

/** `parts` without their first `bytes` bytes (counted over the parts, not by offset). */
function dropFront(parts: LogSegment[], bytes: number): LogSegment[] {
  const out: LogSegment[] = [];
  let skip = bytes;
  for (const p of parts) {
    if (skip >= p.data.length) {
      skip -= p.data.length;
      continue;
    }
    out.push(skip === 0 ? p : { ...p, offset: p.offset + skip, data: p.data.subarray(skip) });
    skip = 0;
  }
  return out;
}

export function createLogService(deps: {
  blobs: ObjectStore;
  bus: Bus;
  /** Times the per-organization limit cache (default the system clock). */
  clock?: Clock;
  cacheSize?: number;
  /** Bytes an execution's log may hold; chunks beyond are refused (default 1 GiB). */
  maxLogBytes?: number;
  /** The organization's own limit (its plan's); overrides `maxLogBytes` when given. */
  logLimitOf?: (orgId: string) => Promise<number>;
}) {
  const { blobs, bus } = deps;
  const cacheSize = deps.cacheSize ?? 10_000;
  const maxLogBytes = deps.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  /** Per-organization limits, looked up at most once a minute per org. */
  const limits = createTtlCache<string, number>({ clock: deps.clock ?? systemClock, ttlMs: 60_000 });
  async function limitFor(orgId: string): Promise<number> {
    if (!deps.logLimitOf) return maxLogBytes;
    const cached = limits.get(orgId);
    if (cached !== undefined) return cached;
    const bytes = await deps.logLimitOf(orgId);
    limits.set(orgId, bytes);
    return bytes;
  }
  /**
   * Committed offsets of executions this process appended to recently (insertion-ordered LRU),
   * keyed like the log itself (org, env, execution): no tenant learns of another's log.
   */
  const committed = new Map<string, number>();

  async function listChunks(prefix: string): Promise<ChunkRef[]> {
    const refs: ChunkRef[] = [];
    for (const { key } of await blobs.list(`${prefix}chunks/`)) {
      const m = CHUNK_KEY.exec(key);
      if (m)
        refs.push({
          key,
          offset: Number(m[1]),
          length: Number(m[2]),
          step: m[3] ?? "",
          stream: m[4] ? "stderr" : "stdout",
        });
    }
    return refs.sort((a, b) => a.offset - b.offset);
  }

  /** The end of the contiguous run of chunks from offset 0. */
  const contiguousEnd = (chunks: ChunkRef[]) => {
    let end = 0;
    for (const c of chunks) if (c.offset <= end) end = Math.max(end, c.offset + c.length);
    return end;
  };

  async function readIndex(prefix: string): Promise<LogIndex | undefined> {
    const raw = await blobs.get(`${prefix}index.json`);
    return raw ? LogIndex.parse(JSON.parse(new TextDecoder().decode(raw))) : undefined;
  }

  /** The stored length, read from storage (never cached: readers run in other processes). */
  async function storedLength(ref: ExecutionRef): Promise<number> {
    const prefix = logPrefix(ref);
    const index = await readIndex(prefix);
    return index ? index.length : contiguousEnd(await listChunks(prefix));
  }

  async function committedOffset(ref: ExecutionRef): Promise<number> {
    const cacheKey = logPrefix(ref);
    // Puts in flight count once they landed (or failed).
    const inFlight = pipelines.get(cacheKey);
    if (inFlight) await inFlight.stored.catch(() => {});
    const cached = committed.get(cacheKey);
    if (cached !== undefined) return cached;
    const prefix = logPrefix(ref);
    const index = await readIndex(prefix);
    const end = index ? index.length : contiguousEnd(await listChunks(prefix));
    remember(cacheKey, end);
    return end;
  }

  function remember(cacheKey: string, offset: number) {
    committed.delete(cacheKey);
    committed.set(cacheKey, offset);
    if (committed.size > cacheSize) {
      const oldest = committed.keys().next().value;
      if (oldest !== undefined) committed.delete(oldest);
    }
  }

  /**
   * Puts in flight per execution: `reserved` is the end of the bytes handed to puts, `stored`
   * the committed offset after the last of them. Dropped when a put fails (the next append
   * starts again from what storage holds) and once everything settled.
   */
  const pipelines = new Map<string, { reserved: number; stored: Promise<number> }>();

  async function begin(ref: ExecutionRef, segment: LogSegment): Promise<{ stored: Promise<number> }> {
    const cacheKey = logPrefix(ref);
    // Bytes beyond the limit are dropped here, so no agent can fill storage past the plan.
    const limit = await limitFor(ref.orgId);
    let pipeline = pipelines.get(cacheKey);
    if (!pipeline) {
      const current = await committedOffset(ref);
      pipeline = pipelines.get(cacheKey) ?? { reserved: current, stored: Promise.resolve(current) };
      pipelines.set(cacheKey, pipeline);
    }
    // From here to the put nothing awaits: the reservation below is atomic.
    const start = pipeline.reserved;
    const end = Math.min(segment.offset + segment.data.length, limit);
    if (segment.offset > start || end <= start) return { stored: pipeline.stored };
    const data = segment.data.subarray(start - segment.offset, end - segment.offset);
    const stream: OutputStream = segment.stream ?? "stdout";
    const key = `${logPrefix(ref)}chunks/${pad(start, 16)}-${pad(data.length, 10)}-${segment.step}${stream === "stderr" ? STDERR_SUFFIX : ""}`;
    const put = blobs.put(key, data, { contentType: "application/octet-stream" });
    const own = pipeline;
    const stored = Promise.all([pipeline.stored, put]).then(async () => {
      remember(cacheKey, end);
      // Live viewers get segments in log order: each publish waits for the earlier puts.
      await bus
        .publish(logSubject(ref.id), encodeSegment({ offset: start, step: segment.step, stream, data }))
        .catch(() => {
          // Live viewers fall back to reading storage.
        });
      if (pipelines.get(cacheKey) === own && own.reserved === end) pipelines.delete(cacheKey);
      return end;
    });
    stored.catch(() => {
      if (pipelines.get(cacheKey) === own) pipelines.delete(cacheKey);
    });
    pipeline.reserved = end;
    pipeline.stored = stored;
    return { stored };
  }

  /** All stored segments from `from` on, in offset order, overlaps trimmed. */
  async function segments(ref: ExecutionRef, from = 0): Promise<LogSegment[]> {
    const prefix = logPrefix(ref);
    const index = await readIndex(prefix);
    const out: LogSegment[] = [];
    if (index) {
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

  return {
    committedOffset,
    segments,
    /** The default per-execution size limit in bytes. */
    maxLogBytes,
    /** The per-execution size limit of an organization (its plan's); `append` never stores beyond it. */
    limitFor,

    /**
     * Stores bytes at `offset` and returns the committed offset afterwards. Bytes already
     * stored are skipped (a resend after a reconnect); a chunk beyond the committed offset is
     * refused (returns the unchanged offset, so the agent resends from there).
     * Callers serialise appends per execution (one agent stream owns an execution).
     */
    async append(ref: ExecutionRef, segment: LogSegment): Promise<number> {
      return (await begin(ref, segment)).stored;
    },

    /**
     * Starts storing bytes at `offset` and returns once their place in the log is reserved, with
     * `stored`: the committed offset once they and every earlier append of the execution are
     * stored. Up to the caller's bound, several puts of one execution are then in flight at once
     * (the chunk keys carry their offsets, so they may land in any order); the committed offset
     * only ever covers a contiguous prefix. Same trimming rules as `append`, measured from the
     * end of the bytes already reserved. Calls for one execution must not overlap.
     */
    begin,

    /** The whole log (or one step's part of it) as bytes. */
    async read(ref: ExecutionRef, options: { step?: string } = {}) {
      const parts = (await segments(ref)).filter((s) => !options.step || s.step === options.step);
      return Buffer.concat(parts.map((p) => p.data));
    },

    /**
     * Bytes `[start, end)` of the log (or, with `step`, of that step's part of it). Reads only
     * what the range needs from storage when no step filter applies.
     */
    async readRange(
      ref: ExecutionRef,
      range: { start: number; end?: number; step?: string },
    ): Promise<{ data: Buffer; total: number }> {
      if (range.step) {
        const whole = await this.read(ref, { step: range.step });
        return { data: whole.subarray(range.start, range.end), total: whole.length };
      }
      const total = await storedLength(ref);
      const end = Math.min(range.end ?? total, total);
      if (range.start >= end) return { data: Buffer.alloc(0), total };
      const parts = await segments(ref, range.start);
      const body = Buffer.concat(parts.map((p) => p.data));
      return { data: body.subarray(0, end - range.start), total };
    },

    /**
     * The last `lines` lines (of the whole log or of one step). Reads growing windows from the
     * end, so tailing a 1 GiB log reads kilobytes, not the whole object.
     */
    async tail(
      ref: ExecutionRef,
      lines: number,
      options: { step?: string } = {},
    ): Promise<{ data: Buffer; total: number }> {
      const total = await storedLength(ref);
      if (options.step) {
        const whole = await this.read(ref, options);
        return { data: whole.subarray(tailStart(whole, lines)), total };
      }
      for (let window = 64 * 1024; ; window *= 4) {
        const from = Math.max(0, total - window);
        const parts = await segments(ref, from);
        const body = Buffer.concat(parts.map((p) => p.data)).subarray(0, total - from);
        const start = tailStart(body, lines);
        // Enough lines found (the cut is inside the window), or the window covers everything.
        if (start > 0 || from === 0) return { data: body.subarray(start), total };
      }
    },

    /**
     * The stored segments (of the whole log or of one step), each of one step and one stream,
     * with the log's length; with `tail` only those holding the last `tail` lines (the first
     * one cut where they start).
     */
    async readSegments(
      ref: ExecutionRef,
      options: { step?: string | undefined; tail?: number | undefined } = {},
    ): Promise<{ segments: LogSegment[]; total: number }> {
      if (options.tail !== undefined && !options.step) {
        const { data, total } = await this.tail(ref, options.tail);
        const parts = await segments(ref, total - data.length);
        return { segments: clipSegments(parts, total), total };
      }
      const total = await storedLength(ref);
      const parts = clipSegments(await segments(ref), total).filter(
        (s) => !options.step || s.step === options.step,
      );
      if (options.tail === undefined) return { segments: parts, total };
      const start = tailStart(Buffer.concat(parts.map((p) => p.data)), options.tail);
      return { segments: dropFront(parts, start), total };
    },

    /** Rewrites the chunks as one object plus an index, then removes the chunks (idempotent). */
    async compact(ref: ExecutionRef): Promise<void> {
      const prefix = logPrefix(ref);
      if (await readIndex(prefix)) return;
      const chunks = await listChunks(prefix);
      const parts = await segments(ref);
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
    },

    /** Removes every log object of the execution. */
    async remove(ref: ExecutionRef): Promise<void> {
      const keys = await blobs.list(logPrefix(ref));
      await blobs.delete(keys.map((k) => k.key));
      committed.delete(logPrefix(ref));
    },
  };
}

export type LogService = ReturnType<typeof createLogService>;
