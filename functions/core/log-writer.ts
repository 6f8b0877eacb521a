/**
 * Appending to an execution's log: bytes are stored as chunk objects keyed by offset, and an
 * offset counts as committed only once its chunk (and every earlier one) is stored. The chunk
 * keys are the record of what is committed, so no per-chunk database write is needed and a new
 * ingress instance recovers the committed offset by listing. Bytes beyond the organization's
 * log limit are dropped here, so no agent can fill storage past its plan.
 */
import { createTtlCache, type OutputStream } from "@assay/shared";
import { chunkKey, encodeSegment, type LogSegment, logPrefix, logSubject } from "./log-format.ts";
import type { LogStorage } from "./log-storage.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import { type Bus, type Clock, type ObjectStore, systemClock } from "./ports.ts";

/** Default per-execution log limit: 1 GiB (the plans' default). */
export const DEFAULT_MAX_LOG_BYTES = 1024 ** 3;

export interface LogLimitDeps {
  /** Times the per-organization limit cache (default the system clock). */
  clock?: Clock;
  /** Bytes an execution's log may hold; chunks beyond are refused (default 1 GiB). */
  maxLogBytes?: number;
  /** The organization's own limit (its plan's); overrides `maxLogBytes` when given. */
  logLimitOf?: (orgId: string) => Promise<number>;
}

/** The per-execution size limit of an organization, looked up at most once a minute per org. */
export function createLogLimits(deps: LogLimitDeps): (orgId: string) => Promise<number> {
  const maxLogBytes = deps.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  const limits = createTtlCache<string, number>({ clock: deps.clock ?? systemClock, ttlMs: 60_000 });
  return async (orgId) => {
    if (!deps.logLimitOf) return maxLogBytes;
    const cached = limits.get(orgId);
    if (cached !== undefined) return cached;
    const bytes = await deps.logLimitOf(orgId);
    limits.set(orgId, bytes);
    return bytes;
  };
}

export interface LogWriter {
  committedOffset(ref: ExecutionRef): Promise<number>;
  begin(ref: ExecutionRef, segment: LogSegment): Promise<{ stored: Promise<number> }>;
  /** Forgets the execution's committed offset (its log was removed). */
  forget(ref: ExecutionRef): void;
}

/** Puts in flight of one execution: the end of the bytes handed to puts, and the offset after them. */
interface Pipeline {
  reserved: number;
  stored: Promise<number>;
}

/**
 * Committed offsets of executions this process appended to recently: an insertion-ordered LRU
 * of at most `size` entries, keyed like the log itself (org, env, execution), so no tenant
 * learns of another's log.
 */
function createCommittedOffsets(size: number) {
  const offsets = new Map<string, number>();
  return {
    get: (cacheKey: string): number | undefined => offsets.get(cacheKey),
    remember(cacheKey: string, offset: number): void {
      offsets.delete(cacheKey);
      offsets.set(cacheKey, offset);
      if (offsets.size > size) {
        const oldest = offsets.keys().next().value;
        if (oldest !== undefined) offsets.delete(oldest);
      }
    },
    forget: (cacheKey: string): void => void offsets.delete(cacheKey),
  };
}

/** A chunk to store: `data` are the log's bytes `[start, end)`. */
interface Chunk {
  start: number;
  end: number;
  step: string;
  stream: OutputStream;
  data: Uint8Array;
}

/**
 * What of `segment` is new at `start`, cut at `limit`; undefined when it would leave a gap
 * (it begins past `start`) or adds nothing.
 */
function chunkAt(segment: LogSegment, start: number, limit: number): Chunk | undefined {
  const end = Math.min(segment.offset + segment.data.length, limit);
  if (segment.offset > start || end <= start) return undefined;
  const data = segment.data.subarray(start - segment.offset, end - segment.offset);
  return { start, end, step: segment.step, stream: segment.stream ?? "stdout", data };
}

export function createLogWriter(deps: {
  blobs: Pick<ObjectStore, "put">;
  bus: Pick<Bus, "publish">;
  storage: Pick<LogStorage, "storedLength">;
  limitFor: (orgId: string) => Promise<number>;
  cacheSize?: number;
}): LogWriter {
  const { blobs, bus, storage, limitFor } = deps;
  const committed = createCommittedOffsets(deps.cacheSize ?? 10_000);
  /**
   * Puts in flight per execution. Dropped when a put fails (the next append starts again from
   * what storage holds) and once everything settled.
   */
  const pipelines = new Map<string, Pipeline>();

  async function committedOffset(ref: ExecutionRef): Promise<number> {
    const cacheKey = logPrefix(ref);
    // Puts in flight count once they landed (or failed).
    const inFlight = pipelines.get(cacheKey);
    if (inFlight) await inFlight.stored.catch(() => {});
    const cached = committed.get(cacheKey);
    if (cached !== undefined) return cached;
    const end = await storage.storedLength(ref);
    committed.remember(cacheKey, end);
    return end;
  }

  /** The pipeline of `ref`, started from the committed offset when none is in flight. */
  async function pipelineOf(ref: ExecutionRef): Promise<Pipeline> {
    const cacheKey = logPrefix(ref);
    const existing = pipelines.get(cacheKey);
    if (existing) return existing;
    const current = await committedOffset(ref);
    const pipeline = pipelines.get(cacheKey) ?? { reserved: current, stored: Promise.resolve(current) };
    pipelines.set(cacheKey, pipeline);
    return pipeline;
  }

  /**
   * The chunk's end once its put and every earlier one in `pipeline` landed: committed, then
   * told to live viewers; the pipeline is dropped when it has settled or a put failed.
   */
  function committedAfter(ref: ExecutionRef, pipeline: Pipeline, chunk: Chunk, put: Promise<unknown>) {
    const cacheKey = logPrefix(ref);
    const { start, end, step, stream, data } = chunk;
    const stored = Promise.all([pipeline.stored, put]).then(async () => {
      committed.remember(cacheKey, end);
      // Live viewers get segments in log order: each publish waits for the earlier puts.
      await bus
        .publish(logSubject(ref.id), encodeSegment({ offset: start, step, stream, data }))
        .catch(() => {
          // Live viewers fall back to reading storage.
        });
      if (pipelines.get(cacheKey) === pipeline && pipeline.reserved === end) pipelines.delete(cacheKey);
      return end;
    });
    stored.catch(() => {
      if (pipelines.get(cacheKey) === pipeline) pipelines.delete(cacheKey);
    });
    return stored;
  }

  async function begin(ref: ExecutionRef, segment: LogSegment): Promise<{ stored: Promise<number> }> {
    const limit = await limitFor(ref.orgId);
    const pipeline = await pipelineOf(ref);
    // From here to the put nothing awaits: the reservation below is atomic.
    const chunk = chunkAt(segment, pipeline.reserved, limit);
    if (chunk === undefined) return { stored: pipeline.stored };
    const key = chunkKey(logPrefix(ref), chunk.start, chunk.data.length, chunk.step, chunk.stream);
    const put = blobs.put(key, chunk.data, { contentType: "application/octet-stream" });
    const stored = committedAfter(ref, pipeline, chunk, put);
    pipeline.reserved = chunk.end;
    pipeline.stored = stored;
    return { stored };
  }

  return { committedOffset, begin, forget: (ref) => committed.forget(logPrefix(ref)) };
}
