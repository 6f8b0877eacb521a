/**
 * Following an execution's log live over server-sent events. Each `log` event's id is the end
 * offset of its bytes; when the connection drops the follower reconnects with `Last-Event-ID`
 * and drops whatever it already wrote, so the output has no gap and no repeat.
 */
import { createSseParser, parseLogStreamEvent } from "@assay/shared";
import type { ApiClient, ApiError, ApiResult } from "./api-client.ts";

export interface FollowOptions {
  /** Receives raw log bytes (ANSI preserved) and the ref of the step that wrote them, if any. */
  write(bytes: Uint8Array, step?: string): void;
  onStatus?(status: string): void;
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
              if (end > have) options.write(bytes.subarray(Math.max(0, have - event.offset)), event.step);
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
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, baseDelay * 2 ** (failures - 1))));
  }
};
