/**
 * Parts of a stored log as readers ask for them: the whole log or one step's part, a byte
 * range, the last lines, or the segments holding them. Ranges and tails read only what they
 * need from storage when no step filter applies, so tailing a 1 GiB log reads kilobytes.
 */
import type { LogSegment } from "./log-format.ts";
import type { LogStorage } from "./log-storage.ts";
import type { ExecutionRef } from "./ports/refs.ts";

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

const bytesOf = (parts: LogSegment[]) => Buffer.concat(parts.map((p) => p.data));

export function createLogRanges(storage: LogStorage) {
  const { segments, storedLength } = storage;

  /** The whole log (or one step's part of it) as bytes. */
  async function read(ref: ExecutionRef, options: { step?: string } = {}): Promise<Buffer> {
    return bytesOf((await segments(ref)).filter((s) => !options.step || s.step === options.step));
  }

  /** Bytes `[start, end)` of the log (or, with `step`, of that step's part of it). */
  async function readRange(
    ref: ExecutionRef,
    range: { start: number; end?: number; step?: string },
  ): Promise<{ data: Buffer; total: number }> {
    if (range.step) {
      const whole = await read(ref, { step: range.step });
      return { data: whole.subarray(range.start, range.end), total: whole.length };
    }
    const total = await storedLength(ref);
    const end = Math.min(range.end ?? total, total);
    if (range.start >= end) return { data: Buffer.alloc(0), total };
    return { data: bytesOf(await segments(ref, range.start)).subarray(0, end - range.start), total };
  }

  /** The last `lines` lines (of the whole log or of one step), read in growing windows from the end. */
  async function tail(
    ref: ExecutionRef,
    lines: number,
    options: { step?: string } = {},
  ): Promise<{ data: Buffer; total: number }> {
    const total = await storedLength(ref);
    if (options.step) {
      const whole = await read(ref, options);
      return { data: whole.subarray(tailStart(whole, lines)), total };
    }
    for (let window = 64 * 1024; ; window *= 4) {
      const from = Math.max(0, total - window);
      const body = bytesOf(await segments(ref, from)).subarray(0, total - from);
      const start = tailStart(body, lines);
      // Enough lines found (the cut is inside the window), or the window covers everything.
      if (start > 0 || from === 0) return { data: body.subarray(start), total };
    }
  }

  /**
   * The stored segments (of the whole log or of one step), each of one step and one stream,
   * with the log's length; with `tail` only those holding the last `tail` lines (the first
   * one cut where they start).
   */
  async function readSegments(
    ref: ExecutionRef,
    options: { step?: string | undefined; tail?: number | undefined } = {},
  ): Promise<{ segments: LogSegment[]; total: number }> {
    if (options.tail !== undefined && !options.step) {
      const { data, total } = await tail(ref, options.tail);
      const parts = await segments(ref, total - data.length);
      return { segments: clipSegments(parts, total), total };
    }
    const total = await storedLength(ref);
    const parts = clipSegments(await segments(ref), total).filter(
      (s) => !options.step || s.step === options.step,
    );
    if (options.tail === undefined) return { segments: parts, total };
    return { segments: dropFront(parts, tailStart(bytesOf(parts), options.tail)), total };
  }

  return { read, readRange, tail, readSegments };
}
