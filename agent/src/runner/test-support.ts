/**
 * Helpers for runner tests: a sink that records everything, and a terse step builder.
 * (Not a mock: the runner under test starts real processes.)
 */
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
