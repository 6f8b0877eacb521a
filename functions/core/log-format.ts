/**
 * How an execution's log is laid out in object storage and on the bus. The log is one byte
 * stream (all steps' output in arrival order); the ingress stores it as chunk objects keyed by
 * byte offset (`logs/{org}/{env}/{exec}/chunks/{offset}-{length}-{step}`, with `~stderr`
 * appended for bytes the step wrote to stderr); after completion the chunks are compacted into
 * `log` + `index.json`. Every segment carries its output stream; a chunk key or index entry
 * without one (written before streams were kept) is stdout.
 */
import type { OutputStream } from "@assay/shared";
import * as z from "zod";
import type { ExecutionRef } from "./ports/refs.ts";

export const logSubject = (executionId: string): string => `exec.${executionId}.log`;

export interface LogSegment {
  offset: number;
  step: string;
  /** The stream that wrote the bytes; absent is stdout (readers always set it). */
  stream?: OutputStream | undefined;
  data: Uint8Array;
}

/** A stored chunk, as its key describes it. */
export interface ChunkRef {
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

/** The key of the chunk holding `length` bytes of `step`'s `stream` at log offset `offset`. */
export const chunkKey = (
  prefix: string,
  offset: number,
  length: number,
  step: string,
  stream: OutputStream,
) =>
  `${prefix}chunks/${pad(offset, 16)}-${pad(length, 10)}-${step}${stream === "stderr" ? STDERR_SUFFIX : ""}`;

/** What a chunk key says about its chunk; undefined for a key that is not a chunk's. */
export function parseChunkKey(key: string): ChunkRef | undefined {
  const m = CHUNK_KEY.exec(key);
  if (!m) return undefined;
  return {
    key,
    offset: Number(m[1]),
    length: Number(m[2]),
    step: m[3] ?? "",
    stream: m[4] ? "stderr" : "stdout",
  };
}

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
