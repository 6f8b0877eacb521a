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
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import * as z from "zod";
import type { ApiDeps, ApiEnv } from "../context.ts";
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
export function parseRangeHeader(header: string): { start?: number; end?: number; suffix?: number } {
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
    const orgId = c.get("orgId");
    const envId = c.get("envId");
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    const query = parseInput(LogQuery, c.req.query(), "query");
    const execution = await deps.executions.get(c.get("principal"), { orgId, envId, id });
    const follow =
      query.follow === "1" ||
      query.follow === "true" ||
      (c.req.header("accept") ?? "").includes("text/event-stream");
    if (!follow && query.format === "json") {
      if (query.offset !== undefined || query.length !== undefined || c.req.header("range") !== undefined)
        throw new AppError(
          "invalid_argument",
          "format=json reads the whole log (or its tail): drop offset, length and Range",
        );
      const { segments, total } = await deps.logs.readSegments(
        { orgId, envId, id },
        {
          step: query.step,
          tail: query.tail,
        },
      );
      const body: LogSegmentsBody = {
        status: execution.status,
        total,
        truncated: execution.truncated === true,
        segments: segments.map((s) => logBody({ ...s, stream: s.stream ?? "stdout" })),
      };
      return c.json(body);
    }
    if (!follow) {
      const headers: Record<string, string> = {
        "content-type": "text/plain; charset=utf-8",
        "x-log-status": execution.status,
        "accept-ranges": "bytes",
      };
      if (execution.truncated) headers["x-log-truncated"] = "true";
      if (query.download === "1" || query.download === "true") {
        const name = `${execution.workflowName}-${id}${query.step ? `-${query.step}` : ""}.log`;
        headers["content-disposition"] = `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}"`;
      }
      if (query.tail !== undefined) {
        const { data, total } = await deps.logs.tail({ orgId, envId, id }, query.tail, { step: query.step });
        // The length lets a client follow on from exactly where the tail ended.
        headers["x-log-length"] = String(total);
        return c.body(new Uint8Array(data), 200, headers);
      }
      const rangeHeader = c.req.header("range");
      if (rangeHeader !== undefined || query.offset !== undefined) {
        const range = rangeHeader
          ? parseRangeHeader(rangeHeader)
          : { start: query.offset ?? 0, end: query.length ? (query.offset ?? 0) + query.length : undefined };
        let start = range.start ?? 0;
        let end = range.end;
        if (range.suffix !== undefined) {
          // A suffix range needs the length first; a second read is cheap next to the log itself.
          const { total } = await deps.logs.readRange(
            { orgId, envId, id },
            {
              start: 0,
              end: 0,
              step: query.step,
            },
          );
          start = Math.max(0, total - range.suffix);
          end = undefined;
        }
        const { data, total } = await deps.logs.readRange(
          { orgId, envId, id },
          { start, end, step: query.step },
        );
        if (start >= total && total > 0) {
          return c.body(null, 416, { "content-range": `bytes */${total}` });
        }
        const last = start + data.length - 1;
        headers["content-range"] = `bytes ${start}-${Math.max(start, last)}/${total}`;
        return c.body(new Uint8Array(data), rangeHeader ? 206 : 200, headers);
      }
      const body = await deps.logs.read({ orgId, envId, id }, { step: query.step });
      return c.body(new Uint8Array(body), 200, headers);
    }
    const lastEventId = Number.parseInt(c.req.header("last-event-id") ?? "", 10);
    const cursor = Number.isFinite(lastEventId) && lastEventId >= 0 ? lastEventId : (query.offset ?? 0);

    return streamSSE(c, async (stream) => {
      const stop = new AbortController();
      stream.onAbort(() => stop.abort());
      const events = deps.followLog({
        principal: c.get("principal"),
        orgId,
        envId,
        id,
        from: cursor,
        step: query.step,
        signal: stop.signal,
        maxMs: deps.followMaxMs,
      });
      let first = true;
      for await (const event of events) {
        if (event.kind === "log") {
          await stream.writeSSE({
            event: "log",
            id: String(event.end),
            data: JSON.stringify(logBody(event)),
          });
        } else if (event.kind === "status") {
          // The first event tells the client how soon to reconnect after a drop.
          await stream.writeSSE({
            event: "status",
            data: statusData(event.status),
            ...(first ? { retry: 500 } : {}),
          });
        } else if (event.kind === "quiet") {
          await stream.write(": keepalive\n\n");
        } else {
          const data = { status: event.status, logBytes: event.logBytes } satisfies LogStreamEnd;
          await stream.writeSSE({ event: "end", data: JSON.stringify(data) });
        }
        first = false;
      }
    });
  });
}
