/**
 * How an agent stream's log chunks become stored objects: chunks that arrived back to back are
 * merged into contiguous runs (one execution, one step, no gap), each stored as one object with
 * one acknowledgement, and a stream keeps a few puts in flight (agent-session.ts drives both).
 */
import type { OutputStream } from "@assay/shared";
import type { LogChunk } from "@assay/shared/proto";
import { outputStreamOf } from "./messages.ts";

/**
 * Largest log segment stored as one object when chunks that arrived back to back are merged:
 * below NATS's default 1 MiB payload limit, so the live fan-out carries merged segments too.
 */
export const MAX_MERGED_LOG_BYTES = 960 * 1024;

/**
 * Log puts one stream keeps in flight. One at a time left the stream waiting on each put's
 * round trip; a few overlap the round trips while the committed offset stays contiguous.
 */
export const MAX_LOG_PUTS_IN_FLIGHT = 4;

/** A contiguous run of one execution's, one step's and one stream's log bytes. */
interface LogRun {
  executionId: string;
  stepRef: string;
  stream: OutputStream;
  offset: number;
  parts: Uint8Array[];
  length: number;
}

/**
 * Splits chunks (in arrival order) into contiguous runs of the same execution, step and stream
 * (unset reads as stdout, so an older agent's chunks still merge), each at
 * most `maxBytes` (a single bigger chunk stays whole). Resent or out-of-order chunks start a new
 * run, so storage sees exactly the offsets the agent sent.
 */
export function contiguousRuns(chunks: LogChunk[], maxBytes: number): LogRun[] {
  const runs: LogRun[] = [];
  let run: LogRun | undefined;
  for (const c of chunks) {
    const fits =
      run !== undefined &&
      run.executionId === c.executionId &&
      run.stepRef === c.stepRef &&
      run.stream === outputStreamOf(c) &&
      run.offset + run.length === c.offset &&
      run.length + c.data.length <= maxBytes;
    if (run && fits) {
      run.parts.push(c.data);
      run.length += c.data.length;
      continue;
    }
    run = {
      executionId: c.executionId,
      stepRef: c.stepRef,
      stream: outputStreamOf(c),
      offset: c.offset,
      parts: [c.data],
      length: c.data.length,
    };
    runs.push(run);
  }
  return runs;
}
