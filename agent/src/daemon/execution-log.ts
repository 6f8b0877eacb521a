/**
 * One execution's log as the agent holds it until the control plane has it durably.
 *
 * The log is a single byte stream (every step's stdout and stderr in arrival order). Bytes are
 * kept in segments of one step and one output stream and at most 64 KiB; a segment is sent as one LogChunk once it is
 * sealed (full, or flushed by the shipper's timer, so output is batched, not sent per line).
 *
 * Three offsets describe the state: `committed` (every byte before it is stored; bytes below
 * are dropped), `sentTo` (the next byte to send on the current stream) and `produced` (the end).
 * A new stream, a LogAck behind what was sent (the server refused a gap) or a ResultAck that
 * was refused move `sentTo` back to the server's committed offset, so every byte reaches the
 * server once, in order, with no gap.
 *
 * Spool: when the agent's memory bound is reached, `spill()` moves sealed segments (at most
 * 64 KiB each, so a small spool is used too) to the execution's spool file (log-spool.ts);
 * they are read back from disk when sent, and the
 * file is emptied once every spilled byte is committed. Offsets never change: a spilled byte
 * is sent exactly as it would have been from memory.
 */
import type { OutputStream } from "@assay/shared";
import type { SpoolFile } from "./log-spool.ts";

/** Largest LogChunk payload. */
export const MAX_CHUNK_BYTES = 64 * 1024;

export interface LogChunkOut {
  seq: number;
  offset: number;
  stepRef: string;
  stream: OutputStream;
  data: Buffer;
}

interface Segment {
  offset: number;
  stepRef: string;
  stream: OutputStream;
  parts: Buffer[];
  length: number;
  sealed: boolean;
  /** Where the bytes are in the spool file when spilled (then `parts` is empty). */
  filePosition?: number;
}

/** The unacknowledged log of one execution. */
export interface ExecutionLog {
  /** Bytes produced so far (the end offset). */
  readonly produced: number;
  readonly committed: number;
  readonly sentTo: number;
  /** Unacknowledged bytes (produced - committed), in memory or spilled. */
  readonly heldBytes: number;
  /** Unacknowledged bytes held in memory. */
  readonly memoryBytes: number;
  /** Unacknowledged bytes in the spool file. */
  readonly spooledBytes: number;
  /**
   * Moves segments held in memory (sealing the open one) to the spool file, oldest first, as
   * long as they fit in `limitBytes` together; returns the bytes moved. Nothing happens without a
   * spool. A failed write (a full disk) throws and leaves the failed segment in memory, every
   * segment moved before it on disk: the log stays whole either way.
   */
  spill(limitBytes?: number): number;
  /** True when nothing was produced yet or the last byte produced is a line feed. */
  readonly atLineStart: boolean;
  /** Closes and removes the spool file (the execution is over). */
  dispose(): void;
  /**
   * Appends output `stepRef` wrote to `stream` (default stdout, the agent's own notes); returns
   * true when a segment filled up (worth sending right away).
   */
  append(stepRef: string, data: Uint8Array, stream?: OutputStream): boolean;
  /** Seals the open segment so it can be sent (the flush timer). */
  seal(): void;
  /** The next chunk to send, or undefined; advances `sentTo`. */
  nextChunk(): LogChunkOut | undefined;
  /** True when every produced byte was sent on this stream. */
  allSent(): boolean;
  /** Applies a LogAck; returns the bytes freed. Handles the "server refused a gap" case. */
  ack(committedOffset: number): number;
  /** Resend from `offset` (a new stream's Welcome, a refused result). */
  resendFrom(offset: number): void;
  /**
   * The server stores nothing beyond `limitBytes` (the plan's log size limit): drop what is
   * held beyond it and discard further output. Returns the bytes freed.
   */
  truncate(limitBytes: number): number;
  /** True once `truncate` was called. */
  readonly truncated: boolean;
}

/** Creates a log whose first byte has offset `startOffset` (non-zero after an agent restart). */
export const createExecutionLog = (startOffset = 0, spool?: SpoolFile): ExecutionLog => {
  const segments: Segment[] = [];
  let spooledBytes = 0;
  let produced = startOffset;
  let committed = startOffset;
  let sentTo = startOffset;
  let seq = 0;
  // The committed offset we last rewound to, so a burst of refusals causes one resend.
  let rewoundAt: number | undefined;
  let truncated = false;
  let atLineStart = true;

  const sealOpen = () => {
    const last = segments.at(-1);
    if (last !== undefined && !last.sealed) {
      last.sealed = true;
      if (last.parts.length > 1) last.parts = [Buffer.concat(last.parts)];
    }
  };

  const dataOf = (segment: Segment): Buffer => {
    if (segment.filePosition !== undefined && spool !== undefined)
      return spool.read(segment.filePosition, segment.length);
    if (segment.parts.length > 1) segment.parts = [Buffer.concat(segment.parts)];
    return segment.parts[0] ?? Buffer.alloc(0);
  };
  /** Forgets a dropped (committed) segment's spilled bytes; empties the file when none are left. */
  const released = (segment: Segment) => {
    if (segment.filePosition === undefined) return;
    spooledBytes -= segment.length;
    if (spooledBytes === 0) spool?.reset();
  };

  const log: ExecutionLog = {
    get produced() {
      return produced;
    },
    get committed() {
      return committed;
    },
    get sentTo() {
      return sentTo;
    },
    get heldBytes() {
      return produced - committed;
    },
    get memoryBytes() {
      return produced - committed - spooledBytes;
    },
    get spooledBytes() {
      return spooledBytes;
    },
    get atLineStart() {
      return atLineStart;
    },
    spill(limitBytes = Number.POSITIVE_INFINITY) {
      if (spool === undefined) return 0;
      sealOpen();
      let moved = 0;
      for (const segment of segments) {
        if (segment.filePosition !== undefined || segment.length === 0) continue;
        if (moved + segment.length > limitBytes) break;
        segment.filePosition = spool.append(dataOf(segment));
        segment.parts = [];
        spooledBytes += segment.length;
        moved += segment.length;
      }
      return moved;
    },
    dispose() {
      spool?.remove();
    },
    get truncated() {
      return truncated;
    },
    append(stepRef, input, stream = "stdout") {
      if (truncated) return false;
      let data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      if (data.length > 0) atLineStart = data[data.length - 1] === 0x0a;
      let filled = false;
      while (data.length > 0) {
        let last = segments.at(-1);
        if (last === undefined || last.sealed || last.stepRef !== stepRef || last.stream !== stream) {
          sealOpen();
          last = { offset: produced, stepRef, stream, parts: [], length: 0, sealed: false };
          segments.push(last);
        }
        const room = MAX_CHUNK_BYTES - last.length;
        const piece = data.subarray(0, room);
        // Copy: the caller may reuse its buffer.
        last.parts.push(Buffer.from(piece));
        last.length += piece.length;
        produced += piece.length;
        data = data.subarray(piece.length);
        if (last.length === MAX_CHUNK_BYTES) {
          sealOpen();
          filled = true;
        }
      }
      return filled;
    },
    seal: sealOpen,
    nextChunk() {
      const segment = segments.find((s) => s.offset + s.length > sentTo);
      if (segment === undefined || !segment.sealed) return undefined;
      const data = dataOf(segment).subarray(sentTo - segment.offset);
      const chunk = { seq: ++seq, offset: sentTo, stepRef: segment.stepRef, stream: segment.stream, data };
      sentTo += data.length;
      return chunk;
    },
    allSent() {
      return sentTo === produced;
    },
    ack(offset) {
      if (offset > committed) {
        const before = committed;
        committed = Math.min(offset, produced);
        while (segments.length > 0) {
          const first = segments[0] as Segment;
          if (first.offset + first.length > committed) break;
          segments.shift();
          released(first);
        }
        // A partly committed first segment is trimmed so memory tracks `committed` exactly.
        const first = segments[0];
        if (first !== undefined && first.offset < committed) {
          const cut = committed - first.offset;
          if (first.filePosition !== undefined) {
            first.filePosition += cut;
            spooledBytes -= cut;
          } else {
            first.parts = [dataOf(first).subarray(cut)];
          }
          first.length -= cut;
          first.offset = committed;
        }
        if (sentTo < committed) sentTo = committed;
        rewoundAt = undefined;
        return committed - before;
      }
      // Not advancing while we sent beyond it: the server refused a chunk (a gap). Resend once.
      if (offset === committed && sentTo > committed && rewoundAt !== committed) {
        rewoundAt = committed;
        sentTo = committed;
      }
      return 0;
    },
    truncate(limitBytes) {
      const before = produced - committed;
      truncated = true;
      segments.length = 0;
      spooledBytes = 0;
      spool?.reset();
      const end = Math.max(committed, Math.min(limitBytes, produced));
      committed = end;
      produced = end;
      sentTo = end;
      return before;
    },
    resendFrom(offset) {
      if (offset > committed) log.ack(offset);
      sentTo = Math.max(committed, Math.min(offset, produced));
      rewoundAt = undefined;
    },
  };
  return log;
};
