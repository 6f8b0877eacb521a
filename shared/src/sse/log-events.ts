/**
 * The events of an execution's live log stream (`GET .../executions/{id}/logs` with
 * `Accept: text/event-stream`), one schema each, shared by the API that writes them and the
 * dashboard and CLI that read them:
 *
 * - `status` `{ status }`: the execution's status, first on every connection and on each change;
 * - `log` `{ offset, step, stream, data }` with `id: <end offset>`: base64 log bytes starting at
 *   `offset`, written by `step` to `stream` (stdout or stderr);
 * - `end` `{ status, logBytes }`: the execution is finished and every byte was sent.
 *
 * The stored log read as JSON (`GET .../logs?format=json`) gives the same `log` bodies as a
 * list (`LogSegmentsBody`), so a reader of a finished log sees the streams too.
 */
import * as z from "zod";
import { ExecutionStatus } from "../domain/execution.ts";
import { lazySchema } from "../lazy-schema.ts";
import type { SseEvent } from "./parser.ts";

/** Which of a step's output streams wrote some log bytes. */
export const OutputStream = lazySchema(() => z.enum(["stdout", "stderr"]));
export type OutputStream = z.infer<typeof OutputStream>;

/** Log bytes of one step, base64-encoded, starting at byte `offset` of the execution's log. */
export const LogStreamLog = lazySchema(() =>
  z.object({
    offset: z.number().int().nonnegative(),
    step: z.string(),
    /** The stream that wrote the bytes; servers before this field sent none (stdout). */
    stream: OutputStream.default("stdout"),
    data: z.string(),
  }),
);
export type LogStreamLog = z.infer<typeof LogStreamLog>;

/** The stored log as JSON: its segments in log order, each of one step and one stream. */
export const LogSegmentsBody = lazySchema(() =>
  z.object({
    status: ExecutionStatus,
    /** Bytes stored so far (the whole log's length, also when `step` filtered the segments). */
    total: z.number().int().nonnegative(),
    truncated: z.boolean(),
    segments: z.array(LogStreamLog),
  }),
);
export type LogSegmentsBody = z.infer<typeof LogSegmentsBody>;

export const LogStreamStatus = lazySchema(() => z.object({ status: ExecutionStatus }));
export type LogStreamStatus = z.infer<typeof LogStreamStatus>;

export const LogStreamEnd = lazySchema(() =>
  z.object({
    status: ExecutionStatus,
    /** The log's length; readers need only the status (servers before this field sent none). */
    logBytes: z.number().int().nonnegative().optional(),
  }),
);
export type LogStreamEnd = z.infer<typeof LogStreamEnd>;

/** A parsed event of the log stream; `id` is the `log` event's end offset. */
export type LogStreamEvent =
  | ({ kind: "log"; id: string | undefined } & LogStreamLog)
  | ({ kind: "status" } & LogStreamStatus)
  | ({ kind: "end" } & LogStreamEnd);

/**
 * The typed form of one event of the log stream, undefined for event names it does not carry
 * (a newer server's). A known event with a malformed body throws, naming the event.
 */
export function parseLogStreamEvent(event: SseEvent): LogStreamEvent | undefined {
  const body = <T>(schema: z.ZodType<T>): T => {
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch {
      throw new Error(`the log stream's ${event.event} event is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new Error(`the log stream's ${event.event} event is malformed: ${parsed.error.message}`);
    return parsed.data;
  };
  switch (event.event) {
    case "log":
      return { kind: "log", id: event.id, ...body(LogStreamLog) };
    case "status":
      return { kind: "status", ...body(LogStreamStatus) };
    case "end":
      return { kind: "end", ...body(LogStreamEnd) };
    default:
      return undefined;
  }
}
