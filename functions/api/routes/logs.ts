/**
 * Execution logs: the stored text, the stored segments as JSON (`format=json`: each one says
 * its step and its stream, stdout or stderr), or a live follow as server-sent events.
 *
 * Follow: the core's log follower (core/log-follow.ts) gives the events; this route only frames
 * them. Each `log` event carries `id: <end offset>`, so a client that reconnects with
 * `Last-Event-ID` resumes at exactly the next byte. The stream ends with `event: end` once the
 * execution is finished and every stored byte was sent (the events' shapes: shared/sse).
 */
import {
  AppError,
  ExecutionId,
  type ExecutionStatus,
  type LogSegmentsBody,
  type LogStreamEnd,
  type LogStreamLog,
  type LogStreamStatus,
  type OutputStream,
} from "@assay/shared";
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import * as z from "zod";
import type { LogFollowEvent } from "../../core/log-follow.ts";
import type { LogHead, LogRange } from "../../core/log-reads.ts";
import type { ExecutionRef } from "../../core/ports/refs.ts";
import { type ApiDeps, type ApiEnv, envOf } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, ExecutionParams } from "../schemas.ts";
import { parseInput } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

const LogQuery = z
  .object({
    step: z.string().max(64).optional(),
    follow: z.enum(["1", "true", "0", "false"]).optional(),
    offset: z.coerce.number().int().nonnegative().optional(),
    /** With `offset`: bytes to return (a byte range without a Range header). */
    length: z.coerce.number().int().positive().optional(),
    /** The last N lines. */
    tail: z.coerce.number().int().min(1).max(1_000_000).optional(),
    /** Send as an attachment (`content-disposition`). */
    download: z.enum(["1", "true", "0", "false"]).optional(),
    /** `json`: the stored segments with their steps and streams (`LogSegmentsBody`), not text. */
    format: z.enum(["text", "json"]).optional(),
  })
  .strict();

/** A log event's body: the bytes base64-encoded with where they start, their step and stream. */
const logBody = (segment: { offset: number; step: string; stream: OutputStream; data: Uint8Array }) =>
  ({
    offset: segment.offset,
    step: segment.step,
    stream: segment.stream,
    data: Buffer.from(segment.data).toString("base64"),
  }) satisfies LogStreamLog;

/** `Range: bytes=a-b | a- | -n` (one range). Returns an inclusive-exclusive range or an error. */
export function parseRangeHeader(header: string): LogRange {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === ""))
    throw new AppError("invalid_argument", "range: expected bytes=START-END");
  if (m[1] === "") return { suffix: Number(m[2]) };
  const start = Number(m[1]);
  const end = m[2] === "" ? undefined : Number(m[2]) + 1;
  if (end !== undefined && end <= start) throw new AppError("invalid_argument", "range: END is before START");
  return { start, end };
}

/** The body of a `status` event (the shapes of the stream's events are in shared/sse). */
const statusData = (status: ExecutionStatus): string => JSON.stringify({ status } satisfies LogStreamStatus);

/** The specs of these routes (the OpenAPI document is built from them). */
export const logSpecs = {
  logs: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/logs`,
    summary:
      "The log as text, or followed live as server-sent events (follow=1 or Accept: text/event-stream)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    query: LogQuery,
    responses: {
      200: {
        description:
          "Log text (text/plain), its segments with their streams (format=json: application/json) or an SSE stream (text/event-stream)",
        contentType: "text/plain",
      },
      ...authErrors,
    },
  }),
};

export function logRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const at = (path: string) => relativeTo(ENV_BASE, path);
  app.get(at(logSpecs.logs.path), async (c) => {
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    const query = parseInput(LogQuery, c.req.query(), "query");
    const principal = c.get("principal");
    const ref = { ...envOf(c), id };
    const follow =
      query.follow === "1" ||
      query.follow === "true" ||
      (c.req.header("accept") ?? "").includes("text/event-stream");
    if (follow) return followed(c, deps, ref, query);
    const rangeHeader = c.req.header("range");
    if (query.format === "json") {
      const { execution, segments, total } = await deps.logReads.segments(principal, ref, () => {
        if (query.offset !== undefined || query.length !== undefined || rangeHeader !== undefined)
          throw new AppError(
            "invalid_argument",
            "format=json reads the whole log (or its tail): drop offset, length and Range",
          );
        return { step: query.step, tail: query.tail };
      });
      const body: LogSegmentsBody = {
        status: execution.status,
        total,
        truncated: execution.truncated === true,
        segments: segments.map((s) => logBody({ ...s, stream: s.stream ?? "stdout" })),
      };
      return c.json(body);
    }
    const step = { step: query.step };
    if (query.tail !== undefined) {
      const { execution, data, total } = await deps.logReads.tail(principal, ref, query.tail, step);
      // The length lets a client follow on from exactly where the tail ended.
      const headers = { ...textHeaders(execution, query), "x-log-length": String(total) };
      return c.body(new Uint8Array(data), 200, headers);
    }
    if (rangeHeader !== undefined || query.offset !== undefined) {
      const { execution, data, start, total } = await deps.logReads.range(principal, ref, () => ({
        ...step,
        ...(rangeHeader
          ? parseRangeHeader(rangeHeader)
          : { start: query.offset ?? 0, end: query.length ? (query.offset ?? 0) + query.length : undefined }),
      }));
      if (start >= total && total > 0) {
        return c.body(null, 416, { "content-range": `bytes */${total}` });
      }
      const last = start + data.length - 1;
      const headers = {
        ...textHeaders(execution, query),
        "content-range": `bytes ${start}-${Math.max(start, last)}/${total}`,
      };
      return c.body(new Uint8Array(data), rangeHeader ? 206 : 200, headers);
    }
    const { execution, data } = await deps.logReads.text(principal, ref, step);
    return c.body(new Uint8Array(data), 200, textHeaders(execution, query));
  });
}

/** The headers of a plain-text log answer: its status, truncation and download name. */
function textHeaders(execution: LogHead, query: z.infer<typeof LogQuery>): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=utf-8",
    "x-log-status": execution.status,
    "accept-ranges": "bytes",
  };
  if (execution.truncated) headers["x-log-truncated"] = "true";
  if (query.download === "1" || query.download === "true") {
    const name = `${execution.workflowName}-${execution.id}${query.step ? `-${query.step}` : ""}.log`;
    headers["content-disposition"] = `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`;
  }
  return headers;
}

/**
 * The log followed live as server-sent events. The follow's first event (the status) is taken
 * before the stream opens, so a caller who may not read gets an error status, not a stream.
 */
async function followed(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  ref: ExecutionRef,
  query: z.infer<typeof LogQuery>,
) {
  const lastEventId = Number.parseInt(c.req.header("last-event-id") ?? "", 10);
  const cursor = Number.isFinite(lastEventId) && lastEventId >= 0 ? lastEventId : (query.offset ?? 0);
  const stop = new AbortController();
  const events = deps.followLog({
    principal: c.get("principal"),
    ...ref,
    from: cursor,
    step: query.step,
    signal: stop.signal,
    maxMs: deps.followMaxMs,
  });
  const first = await events.next();
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => stop.abort());
    if (first.done) return;
    let retry = true;
    const write = async (event: LogFollowEvent) => {
      if (event.kind === "log") {
        await stream.writeSSE({ event: "log", id: String(event.end), data: JSON.stringify(logBody(event)) });
      } else if (event.kind === "status") {
        // The first event tells the client how soon to reconnect after a drop.
        await stream.writeSSE({
          event: "status",
          data: statusData(event.status),
          ...(retry ? { retry: 500 } : {}),
        });
      } else if (event.kind === "quiet") {
        await stream.write(": keepalive\n\n");
      } else {
        const data = { status: event.status, logBytes: event.logBytes } satisfies LogStreamEnd;
        await stream.writeSSE({ event: "end", data: JSON.stringify(data) });
      }
      retry = false;
    };
    await write(first.value);
    for await (const event of events) await write(event);
  });
}
