/**
 * Server-sent events over fetch (EventSource cannot send an Authorization header). Parses the
 * stream with the shared event-stream parser, remembers the last id, and reconnects with
 * `Last-Event-ID` after a dropped connection so the stream resumes without gaps or repeats.
 * Stops when the caller aborts or when `onEvent` returns "stop".
 */
import { createSseParser, type SseEvent } from "@assay/shared";
import { authHeaders } from "./client.ts";
import { toApiError } from "./errors.ts";

export interface SseOptions {
  signal: AbortSignal;
  onEvent: (event: SseEvent) => "stop" | undefined;
  onError: (error: Error) => void;
  /** Delay before reconnecting after a drop, milliseconds. */
  retryMs?: number;
}

export async function followSse(url: string, options: SseOptions): Promise<void> {
  let lastId: string | undefined;
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      const headers: Record<string, string> = { accept: "text/event-stream", ...authHeaders() };
      if (lastId !== undefined) headers["last-event-id"] = lastId;
      const response = await fetch(url, { headers, credentials: "same-origin", signal: options.signal });
      if (!response.ok || !response.body) {
        const error = await toApiError(response);
        if (response.status >= 400 && response.status < 500) return options.onError(error);
        throw error;
      }
      failures = 0;
      const stopped = await readEvents(response.body, options, (id) => {
        lastId = id;
      });
      if (stopped) return;
    } catch (error) {
      if (options.signal.aborted) return;
      failures++;
      if (failures > 5) return options.onError(error instanceof Error ? error : new Error(String(error)));
    }
    await new Promise((resolve) => setTimeout(resolve, (options.retryMs ?? 1000) * Math.min(failures, 5)));
  }
}

/** Event bytes handled between two turns given back to the page. */
const YIELD_BYTES = 256 * 1024;

/** Lets rendering and input run: `scheduler.yield()` where there is one, else a macrotask. */
const yieldToPage = (): Promise<void> => {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
};

/** Reads one connection's events; true when the consumer said stop. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  options: SseOptions,
  remember: (id: string) => void,
): Promise<boolean> {
  const reader = body.getReader();
  const parser = createSseParser();
  let sinceYield = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return false;
      for (const event of parser.push(value)) {
        if (event.id !== undefined) remember(event.id);
        if (options.onEvent(event) === "stop") return true;
        // A stored log replays as megabytes in one read: give the page a turn every
        // YIELD_BYTES of events so no single task runs long (scroll and input stay live).
        sinceYield += event.data.length;
        if (sinceYield >= YIELD_BYTES) {
          sinceYield = 0;
          await yieldToPage();
        }
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
