/**
 * Execution logs in object storage, as one service: appending with committed offsets
 * (`log-writer.ts`), reading back (`log-storage.ts`, `log-ranges.ts`), compaction
 * (`log-compaction.ts`), removal. The layout in storage and on the bus is in `log-format.ts`.
 */
import { compactLog } from "./log-compaction.ts";
import { type LogSegment, logPrefix } from "./log-format.ts";
import { createLogRanges } from "./log-ranges.ts";
import { createLogStorage } from "./log-storage.ts";
import { createLogLimits, createLogWriter, DEFAULT_MAX_LOG_BYTES, type LogLimitDeps } from "./log-writer.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import type { Bus, ObjectStore } from "./ports.ts";

export { decodeSegment, encodeSegment, type LogSegment, logPrefix, logSubject } from "./log-format.ts";

export function createLogService(deps: LogLimitDeps & { blobs: ObjectStore; bus: Bus; cacheSize?: number }) {
  const { blobs } = deps;
  const storage = createLogStorage(blobs);
  const limitFor = createLogLimits(deps);
  const writer = createLogWriter({ blobs, bus: deps.bus, storage, limitFor, cacheSize: deps.cacheSize });
  return {
    committedOffset: writer.committedOffset,
    segments: storage.segments,
    /** The default per-execution size limit in bytes. */
    maxLogBytes: deps.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES,
    /** The per-execution size limit of an organization (its plan's); `append` never stores beyond it. */
    limitFor,

    /**
     * Stores bytes at `offset` and returns the committed offset afterwards. Bytes already
     * stored are skipped (a resend after a reconnect); a chunk beyond the committed offset is
     * refused (returns the unchanged offset, so the agent resends from there).
     * Callers serialise appends per execution (one agent stream owns an execution).
     */
    async append(ref: ExecutionRef, segment: LogSegment): Promise<number> {
      return (await writer.begin(ref, segment)).stored;
    },

    /**
     * Starts storing bytes at `offset` and returns once their place in the log is reserved, with
     * `stored`: the committed offset once they and every earlier append of the execution are
     * stored. Up to the caller's bound, several puts of one execution are then in flight at once
     * (the chunk keys carry their offsets, so they may land in any order); the committed offset
     * only ever covers a contiguous prefix. Same trimming rules as `append`, measured from the
     * end of the bytes already reserved. Calls for one execution must not overlap.
     */
    begin: writer.begin,

    ...createLogRanges(storage),

    /** Rewrites the chunks as one object plus an index, then removes the chunks (idempotent). */
    compact: (ref: ExecutionRef): Promise<void> => compactLog(blobs, storage, ref),

    /** Removes every log object of the execution. */
    async remove(ref: ExecutionRef): Promise<void> {
      const keys = await blobs.list(logPrefix(ref));
      await blobs.delete(keys.map((k) => k.key));
      writer.forget(ref);
    },
  };
}

export type LogService = ReturnType<typeof createLogService>;
