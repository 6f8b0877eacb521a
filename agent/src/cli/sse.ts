/**
 * A server-sent events parser (the WHATWG event-stream format): feed it bytes as they arrive,
 * get whole events back. Comments and unknown fields are ignored; `id` persists per spec.
 */

export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

export interface SseParser {
  push(chunk: Buffer | string): SseEvent[];
}

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
      for (let nl = buffer.search(/\r\n|\n|\r/); nl !== -1; nl = buffer.search(/\r\n|\n|\r/)) {
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
