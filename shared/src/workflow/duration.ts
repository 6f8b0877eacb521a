/**
 * Go-style durations, as Testkube writes `timeout` and `delay` ("1h30m", "10s", "500ms",
 * "1.5h"). The grammar is Go's `time.ParseDuration`: one or more decimal numbers, each with a
 * unit (ns, us/µs, ms, s, m, h), or a bare "0". Negative durations make no sense for a timeout
 * or a delay and are refused.
 */

/** Milliseconds in one of each unit Go accepts. */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Outcome of {@link parseDuration}: milliseconds (rounded to whole ms), or a message saying why not. */
export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

/**
 * Parse a Go duration into milliseconds. Sub-millisecond parts round to the nearest
 * millisecond overall ("1500us" -> 2). Never throws.
 */
export const parseDuration = (input: string): DurationResult => {
  const text = typeof input === "string" ? input.trim() : "";
  if (text === "") return { ok: false, error: "duration is empty" };
  if (text.startsWith("-")) return { ok: false, error: `duration "${input}" must not be negative` };
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body === "0") return { ok: true, ms: 0 };
  let total = 0;
  let index = 0;
  while (index < body.length) {
    TERM.lastIndex = index;
    const match = TERM.exec(body);
    if (match === null) return { ok: false, error: invalidMessage(input, body, index) };
    const [, amount = "", unit = ""] = match;
    total += Number(amount) * (UNIT_MS[unit] ?? 0);
    index = TERM.lastIndex;
  }
  if (!Number.isFinite(total)) return { ok: false, error: `duration "${input}" is too large` };
  return { ok: true, ms: Math.round(total) };
};

const invalidMessage = (input: string, body: string, index: number): string => {
  const rest = body.slice(index);
  if (/^\d+(\.\d*)?$/.test(rest)) {
    return `duration "${input}" is missing a unit after ${rest} (use ms, s, m or h, e.g. "${rest}s")`;
  }
  return `invalid duration "${input}": expected numbers with units such as "30s", "1h30m" or "500ms"`;
};

/** True when `text` is a valid, non-negative Go duration. */
export const isValidDuration = (text: string): boolean => parseDuration(text).ok;
