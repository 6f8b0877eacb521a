/**
 * Following an execution's log live over server-sent events. Each `log` event's id is the end
 * offset of its bytes; when the connection drops the follower reconnects with `Last-Event-ID`
 * and drops whatever it already wrote, so the output has no gap and no repeat.
 */
import { createSseParser, type OutputStream, parseLogStreamEvent } from "@assay/shared";
import { type Clock, sleep } from "@assay/shared/time";
import type { ApiClient, ApiError, ApiResult } from "./api-client.ts";

export interface FollowOptions {
  /**
   * Receives raw log bytes (ANSI preserved), the ref of the step that wrote them, if any, and
   * the stream they were written to.
   */
  write(bytes: Uint8Array, step: string | undefined, stream: OutputStream): void;
  onStatus?(status: string): void;
  /** Times the waits between reconnects. */
  clock: Clock;
  /** Wait between reconnects, default 500 ms (doubling to 5 s while nothing arrives). */
  retryDelayMs?: number;
  /** Consecutive failed reconnects before giving up, default 10. */
  maxRetries?: number;
  /** Only this step's output. */
  step?: string | undefined;
  /** Start after this byte of the log (e.g. after a printed tail). */
  fromOffset?: number | undefined;
  /** Stops following (the result is then the last error); the caller knows why. */
  signal?: AbortSignal;
}

/** Follows until the `end` event; resolves with the execution's final status. */
export const followLogs = async (
  client: ApiClient,
  id: string,
  options: FollowOptions,
): Promise<ApiResult<{ status: string }>> => {
  let written: number | undefined = options.fromOffset;
  let failures = 0;
  const baseDelay = options.retryDelayMs ?? 500;
  const maxRetries = options.maxRetries ?? 10;
  let lastError: ApiError = { status: 0, code: "unreachable", message: "the log stream ended early" };

  for (;;) {
    if (options.signal?.aborted)
      return { ok: false, error: { status: 0, code: "aborted", message: "stopped following" } };
    const opened = await client.openLogStream(id, written, options.signal, options.step);
    if (!opened.ok) {
      // Only a dropped connection is worth retrying; 401/404 will not change.
      if (opened.error.status !== 0 && opened.error.status < 500) return opened;
      lastError = opened.error;
    } else {
      const parser = createSseParser();
      let progressed = false;
      try {
        for await (const part of opened.value) {
          for (const raw of parser.push(part as Buffer)) {
            const event = parseLogStreamEvent(raw);
            if (event?.kind === "log") {
              const bytes = Buffer.from(event.data, "base64");
              const end = event.offset + bytes.length;
              const have = written ?? 0;
              if (end > have)
                options.write(bytes.subarray(Math.max(0, have - event.offset)), event.step, event.stream);
              written = Math.max(have, event.id === undefined ? end : Number(event.id) || end);
              progressed = true;
            } else if (event?.kind === "status") {
              options.onStatus?.(event.status);
            } else if (event?.kind === "end") {
              opened.value.destroy();
              return { ok: true, value: { status: event.status } };
            }
          }
        }
      } catch (error) {
        lastError = {
          status: 0,
          code: "unreachable",
          message: `the log stream broke: ${(error as Error).message}`,
        };
      }
      if (progressed) failures = 0;
    }
    failures++;
    if (options.signal?.aborted)
      return { ok: false, error: { status: 0, code: "aborted", message: "stopped following" } };
    if (failures > maxRetries) return { ok: false, error: lastError };
    await sleep(options.clock, Math.min(5000, baseDelay * 2 ** (failures - 1)));
  }
};

/** SGR red and "default foreground": what marks stderr bytes on a terminal. */
const STDERR_ON = Buffer.from("\u001b[31m");
const STDERR_OFF = Buffer.from("\u001b[39m");
const NOTHING = new Uint8Array(0);

/** Paints one log's bytes in order (`paint`), and ends any colour still on (`reset`). */
export interface StreamPainter {
  paint(bytes: Uint8Array, stream: OutputStream): Uint8Array;
  reset(): Uint8Array;
}

/**
 * Log bytes as a terminal shows them: with `color`, what a step wrote to stderr is red, the
 * colour ending before each line feed and where stdout takes over (bytes are never decoded and
 * nothing is inserted inside a run of stderr bytes, so a character split between two events stays
 * whole). Without `color` the bytes pass unchanged (a pipe or file gets the log as stored).
 */
export const createStreamPainter = (color: boolean): StreamPainter => {
  let on = false;
  const reset = () => {
    if (!on) return NOTHING;
    on = false;
    return STDERR_OFF;
  };
  const paint = (bytes: Uint8Array, stream: OutputStream): Uint8Array => {
    if (!color) return bytes;
    if (stream !== "stderr") return on ? Buffer.concat([reset(), bytes]) : bytes;
    const parts: Uint8Array[] = [];
    let from = 0;
    while (from < bytes.length) {
      const feed = bytes.indexOf(0x0a, from);
      const end = feed < 0 ? bytes.length : feed;
      if (end > from) {
        if (!on) parts.push(STDERR_ON);
        on = true;
        parts.push(bytes.subarray(from, end));
      }
      if (feed >= 0) parts.push(reset(), bytes.subarray(feed, feed + 1));
      from = end + 1;
    }
    return Buffer.concat(parts);
  };
  return { paint, reset };
};
