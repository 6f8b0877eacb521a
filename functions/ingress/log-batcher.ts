/**
 * Log chunks of one stream, batched and stored with bounded pipelining. Chunks that arrive back
 * to back and wait in the stream's lane are stored together: while the stream's puts are in
 * flight the agent keeps sending, so under load each put carries many chunks (fewer, larger
 * objects; one acknowledgement for the run) and without load each chunk is stored at once.
 * Acknowledgements leave in log order (each put's `stored` settles after the earlier ones).
 */
import type { LogChunk } from "@assay/shared/proto";
import type { AgentLink } from "../core/agent-link/agent-link.ts";
import type { LogService } from "../core/logs.ts";
import { contiguousRuns, MAX_LOG_PUTS_IN_FLIGHT, MAX_MERGED_LOG_BYTES } from "./log-runs.ts";
import type { Lane } from "./serial-lane.ts";

export interface LogBatcherDeps {
  logs: LogService;
  /** The stream's in-order lane (log chunks are stored in their arrival order with other messages). */
  lane: Lane;
  /** The link of the agent, once it said hello (chunks before hello are a protocol error). */
  link: () => AgentLink;
  ack: (offset: ReturnType<AgentLink["logOffset"]>) => void;
  fail: (error: unknown) => void;
}

export function createLogBatcher(deps: LogBatcherDeps) {
  const { logs, lane } = deps;
  let openBatch: LogChunk[] | undefined;
  let openBatchBytes = 0;
  /** Log puts of this stream in flight (each resolves after its LogAck was sent). */
  const storing = new Set<Promise<void>>();

  async function store(chunks: LogChunk[]) {
    const link = deps.link();
    const { orgId, envId } = link.agent;
    for (const run of contiguousRuns(chunks, MAX_MERGED_LOG_BYTES)) {
      if ((await link.admitLog(run.executionId)) === "closed") {
        // The execution ended: nothing more is stored, and the ack closes its log.
        deps.ack(link.logOffset(run.executionId, await link.committed(run.executionId), true));
        continue;
      }
      while (storing.size >= MAX_LOG_PUTS_IN_FLIGHT) await Promise.race(storing);
      const { stored } = await logs.begin(
        { orgId, envId, id: run.executionId },
        {
          offset: run.offset,
          step: run.stepRef.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "run",
          stream: run.stream,
          data: run.parts.length === 1 ? (run.parts[0] ?? new Uint8Array()) : Buffer.concat(run.parts),
        },
      );
      const acked: Promise<void> = stored.then(
        (committedOffset) => {
          storing.delete(acked);
          deps.ack(link.logOffset(run.executionId, committedOffset));
        },
        (error: unknown) => {
          storing.delete(acked);
          deps.fail(error);
        },
      );
      storing.add(acked);
    }
  }

  return {
    /** Takes one chunk: it joins the open batch, or opens one that the lane stores. */
    add(chunk: LogChunk) {
      if (openBatch && openBatchBytes + chunk.data.length <= MAX_MERGED_LOG_BYTES) {
        openBatch.push(chunk);
        openBatchBytes += chunk.data.length;
        return;
      }
      const batch = [chunk];
      openBatch = batch;
      openBatchBytes = chunk.data.length;
      void lane(async () => {
        // While earlier puts are in flight the batch keeps growing toward one full object, so
        // a fast producer gets few large puts; with nothing in flight it is stored at once.
        while (openBatch === batch && storing.size > 0) await Promise.race(storing);
        if (openBatch === batch) openBatch = undefined;
        return store(batch);
      });
    },
    /** Any other message closes the batch: nothing is stored out of its arrival order. */
    close() {
      openBatch = undefined;
    },
    /** Resolves when every put in flight settled. */
    settled: () => Promise.all(storing).then(() => {}),
  };
}

export type LogBatcher = ReturnType<typeof createLogBatcher>;
