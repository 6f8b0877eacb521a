/**
 * Helpers for runner tests: a sink that records everything, a terse step builder and a free
 * port. (Not a mock: the runner under test starts real processes.)
 */
import { createServer } from "node:net";
import type { OutputStream } from "@assay/shared";
import type { RunnerSink, RunnerStep, StepEvent } from "./types.ts";

/** A sink that keeps every event and the log bytes in order. */
export const createRecordingSink = () => {
  const events: StepEvent[] = [];
  const chunks: { ref: string; stream: OutputStream; data: Buffer }[] = [];
  const sink: RunnerSink = {
    step: (event) => events.push(event),
    log: (ref, data, stream = "stdout") => {
      chunks.push({ ref, stream, data: Buffer.from(data) });
      return true;
    },
    drained: () => Promise.resolve(),
  };
  return {
    sink,
    events,
    chunks,
    text: () => Buffer.concat(chunks.map((c) => c.data)).toString(),
    /** What `ref` wrote to `stream`, in order. */
    streamOf: (ref: string, stream: OutputStream) =>
      Buffer.concat(chunks.filter((c) => c.ref === ref && c.stream === stream).map((c) => c.data)).toString(),
    textOf: (ref: string) => Buffer.concat(chunks.filter((c) => c.ref === ref).map((c) => c.data)).toString(),
    final: (ref: string) => events.filter((e) => e.ref === ref && e.status !== "running").at(-1),
  };
};

/** Builds a step with defaults; `ref` doubles as its name. */
export const step = (ref: string, fields: Partial<RunnerStep> = {}): RunnerStep => ({
  ref,
  name: ref,
  env: {},
  condition: "passed",
  optional: false,
  negative: false,
  steps: [],
  warnings: [],
  ...fields,
});

/** A loopback port nothing listens on now (a connect to it is refused until something does). */
export const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
};
