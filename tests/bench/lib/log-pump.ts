/**
 * A load process for the log throughput benchmark: one agent stream that ships BYTES of log
 * text in CHUNK-byte LogChunks (the agent's own chunk size is 64 KiB), keeping at most WINDOW
 * bytes unacknowledged as the agent does, and times first chunk -> acknowledgement of the last
 * byte. Against the ingress it first waits for a RunCommand (the parent starts a run) and ends
 * with a result; against the bare server it just pumps.
 *
 * Usage (forked with IPC): log-pump.ts ADDRESS CA_FILE TOKEN MODE(ingress|bare) BYTES CHUNK WINDOW
 * Messages: `{ ready }` after the welcome, then `{ mbPerS, bytes, seconds }`.
 */
import { performance } from "node:perf_hooks";
import { ExecutionStatus, LogStream } from "@assay/shared/proto";
import { connectRawAgent, readCa } from "./raw-agent.ts";

const [
  address = "",
  caFile = "",
  token = "",
  mode = "bare",
  bytesArg = "0",
  chunkArg = "65536",
  windowArg = "0",
] = process.argv.slice(2);
const total = Number(bytesArg);
const chunkBytes = Number(chunkArg);
const windowBytes = Number(windowArg);
setTimeout(() => process.exit(3), 10 * 60_000).unref();

let committed = 0;
let onAck: (() => void) | undefined;
const agent = connectRawAgent({
  address,
  caPem: readCa(caFile),
  token,
  agentId: `pump-${process.pid}`,
  onMessage: (m) => {
    if (m.kind?.$case !== "logAck") return;
    committed = Math.max(committed, m.kind.value.committedOffset);
    onAck?.();
  },
});
await agent.hello();
let executionId = "bare";
if (mode === "ingress") {
  const run = agent.next("run", 60_000);
  process.send?.({ ready: true });
  executionId = (await run).executionId;
  agent.send({ $case: "started", value: { executionId, startedAtMs: Date.now() } });
} else {
  process.send?.({ ready: true });
}

// Log-like text: numbered lines of printable ASCII, the same bytes for both servers.
const line = (i: number) => `${String(i).padStart(8, "0")} INFO bench worker ${"x".repeat(80)} done\n`;
const text = Buffer.from(Array.from({ length: Math.ceil(chunkBytes / 100) + 1 }, (_, i) => line(i)).join(""));
const chunk = text.subarray(0, chunkBytes);

const waitForAck = () => new Promise<void>((resolve) => (onAck = resolve));
const t0 = performance.now();
let offset = 0;
let seq = 0;
while (offset < total) {
  while (offset - committed >= windowBytes) await waitForAck();
  const data = chunk.subarray(0, Math.min(chunkBytes, total - offset));
  agent.send({
    $case: "logChunk",
    value: { executionId, seq: seq++, offset, stepRef: "run", data, stream: LogStream.LOG_STREAM_STDOUT },
  });
  offset += data.length;
  // Yield now and then so acknowledgements are read while we write.
  if (seq % 16 === 0) await new Promise((r) => setImmediate(r));
}
while (committed < total) await waitForAck();
const seconds = (performance.now() - t0) / 1_000;

if (mode === "ingress") {
  const ack = agent.next("resultAck", 30_000);
  agent.send({
    $case: "result",
    value: {
      executionId,
      status: ExecutionStatus.EXECUTION_STATUS_PASSED,
      finishedAtMs: Date.now(),
      logBytes: total,
      message: "",
      steps: [],
      logTruncated: false,
    },
  });
  await ack;
}
process.send?.({ bytes: total, seconds, mbPerS: total / seconds / 1e6 });
agent.close();
setTimeout(() => process.exit(0), 200);
