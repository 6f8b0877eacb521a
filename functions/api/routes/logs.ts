/**
 * Execution logs: the stored text, or a live follow as server-sent events.
 *
 * Follow: each `log` event carries `id: <end offset>`, so a client that reconnects with
 * `Last-Event-ID` resumes at exactly the next byte. Live segments come from the bus; whenever
 * they leave a gap (a lost message, a late subscriber) or go quiet, storage fills in, so the bus
 * only ever lowers latency. The stream ends with `event: end` once the execution is finished
 * and every stored byte was sent.
 */
import {
  AppError,
  ExecutionId,
  type ExecutionStatus,
  isTerminal,
  type LogStreamEnd,
  type LogStreamLog,
  type LogStreamStatus,
} from "@assay/shared";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import * as z from "zod";
import { authorize } from "../../core/access.ts";
import { statusSubject } from "../../core/executions.ts";
import { decodeSegment, type LogSegment, logSubject } from "../../core/logs.ts";
import type { ApiDeps, ApiEnv } from "../app.ts";
import { parseInput } from "../validate.ts";

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
  })
  .strict();

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

/** How long a follower waits for live data before checking storage and status itself. */
const POLL_MS = 1_000;
/** A comment line after this much silence keeps proxies (CloudFront: 60 s) from cutting the stream. */
const KEEPALIVE_MS = 15_000;

export function logRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  app.get("/executions/:id/logs", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const orgId = c.get("orgId");
    const envId = c.get("envId");
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    const query = parseInput(LogQuery, c.req.query(), "query");
    const execution = await deps.executions.get(orgId, envId, id);
    const follow =
      query.follow === "1" ||
      query.follow === "true" ||
      (c.req.header("accept") ?? "").includes("text/event-stream");
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
        const { data, total } = await deps.logs.tail(orgId, envId, id, query.tail, { step: query.step });
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
          const { total } = await deps.logs.readRange(orgId, envId, id, {
            start: 0,
            end: 0,
            step: query.step,
          });
          start = Math.max(0, total - range.suffix);
          end = undefined;
        }
        const { data, total } = await deps.logs.readRange(orgId, envId, id, { start, end, step: query.step });
        if (start >= total && total > 0) {
          return c.body(null, 416, { "content-range": `bytes */${total}` });
        }
        const last = start + data.length - 1;
        headers["content-range"] = `bytes ${start}-${Math.max(start, last)}/${total}`;
        return c.body(new Uint8Array(data), rangeHeader ? 206 : 200, headers);
      }
      const body = await deps.logs.read(orgId, envId, id, { step: query.step });
      return c.body(new Uint8Array(body), 200, headers);
    }
    const lastEventId = Number.parseInt(c.req.header("last-event-id") ?? "", 10);
    let cursor = Number.isFinite(lastEventId) && lastEventId >= 0 ? lastEventId : (query.offset ?? 0);

    return streamSSE(c, async (stream) => {
      const live: LogSegment[] = [];
      let lastWriteMs = Date.now();
      let wake: (() => void) | undefined;
      const nudge = () => wake?.();
      const offLog = await deps.bus.subscribe(logSubject(id), (m) => {
        live.push(decodeSegment(m.data));
        nudge();
      });
      const offStatus = await deps.bus.subscribe(statusSubject(id), nudge);
      stream.onAbort(() => {
        offLog();
        offStatus();
        nudge();
      });

      const emit = async (segment: LogSegment) => {
        const end = segment.offset + segment.data.length;
        if (end <= cursor || segment.offset > cursor) return;
        if (query.step && segment.step !== query.step) {
          cursor = end;
          return;
        }
        const data = segment.data.subarray(cursor - segment.offset);
        const payload: LogStreamLog = {
          offset: cursor,
          step: segment.step,
          data: Buffer.from(data).toString("base64"),
        };
        cursor = end;
        lastWriteMs = Date.now();
        await stream.writeSSE({ event: "log", id: String(end), data: JSON.stringify(payload) });
      };
      const fromStorage = async () => {
        for (const segment of await deps.logs.segments(orgId, envId, id, cursor)) await emit(segment);
      };

      let status = execution.status;
      const closeAtMs =
        deps.followMaxMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + deps.followMaxMs;
      await stream.writeSSE({ event: "status", data: statusData(status), retry: 500 });
      await fromStorage();
      while (!stream.aborted && Date.now() < closeAtMs) {
        let gap = false;
        for (const segment of live.splice(0).sort((a, b) => a.offset - b.offset)) {
          if (segment.offset > cursor) gap = true;
          await emit(segment);
        }
        const woke = await new Promise<boolean>((resolve) => {
          if (gap) return resolve(false);
          const timer = setTimeout(() => resolve(false), POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        wake = undefined;
        if (stream.aborted) break;
        if (Date.now() - lastWriteMs >= KEEPALIVE_MS) {
          lastWriteMs = Date.now();
          await stream.write(": keepalive\n\n");
        }
        if (woke && live.length > 0) continue;
        const current = await deps.executions.get(orgId, envId, id);
        if (current.status !== status) {
          status = current.status;
          await stream.writeSSE({ event: "status", data: statusData(status) });
        }
        await fromStorage();
        if (isTerminal(status) && cursor >= current.logBytes) {
          await stream.writeSSE({
            event: "end",
            data: JSON.stringify({ status, logBytes: current.logBytes } satisfies LogStreamEnd),
          });
          break;
        }
      }
      offLog();
      offStatus();
    });
  });
}
