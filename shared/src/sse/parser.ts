/**
 * A server-sent events parser (the WHATWG event-stream format), used by the dashboard and the
 * CLI alike: feed it bytes or text as they arrive, get whole events back. Comments and unknown
 * fields are ignored; `id` persists from one event to the next, as the format says.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field, `message` when the event named none. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
  /** The last `id:` seen on this stream (undefined before any). */
  id: string | undefined;
}

export interface SseParser {
  /** Parses `chunk` (bytes are decoded as UTF-8 across chunk boundaries); returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[];
}

const LINE_END = /\r\n|\n|\r/;

export const createSseParser = (): SseParser => {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  const decoder = new TextDecoder();
  return {
    push(chunk) {
      buffer += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      const out: SseEvent[] = [];
      for (let nl = buffer.search(LINE_END); nl !== -1; nl = buffer.search(LINE_END)) {
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (buffer[nl] === "\r" && nl === buffer.length - 1) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(buffer.startsWith("\r\n", nl) ? nl + 2 : nl + 1);
        if (line === "") {
          if (data.length > 0) out.push({ event: event || "message", data: data.join("\n"), id });
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
        else if (field === "id" && !value.includes("\0")) id = value;
      }
      return out;
    },
  };
};
