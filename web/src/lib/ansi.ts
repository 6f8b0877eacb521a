/**
 * ANSI SGR (colour/style) parsing for log lines. Only `ESC [ ... m` changes styles; every other
 * escape sequence (cursor moves, erase line, OSC titles) is dropped. Style state flows across
 * lines like a terminal's, so the log store records the state each line starts with.
 */

export interface AnsiStyle {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface AnsiSpan {
  text: string;
  style: AnsiStyle;
}

/** Any CSI or OSC escape sequence, or a lone ESC. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_]?)/g;

const BASE = [
  "#1e1e1e",
  "#f87171",
  "#4ade80",
  "#facc15",
  "#60a5fa",
  "#e879f9",
  "#22d3ee",
  "#e5e7eb",
  "#9ca3af",
  "#fca5a5",
  "#86efac",
  "#fde047",
  "#93c5fd",
  "#f0abfc",
  "#67e8f9",
  "#ffffff",
];

function color256(n: number): string | undefined {
  if (n < 0 || n > 255) return undefined;
  if (n < 16) return BASE[n];
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

/** Applies one SGR parameter list to a style; returns the new style (never mutates). */
export function applySgr(style: AnsiStyle, params: number[]): AnsiStyle {
  let next = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i] ?? 0;
    if (p === 0) next = {};
    else if (p === 1) next.bold = true;
    else if (p === 2) next.dim = true;
    else if (p === 3) next.italic = true;
    else if (p === 4) next.underline = true;
    else if (p === 7) next.inverse = true;
    else if (p === 22) next.bold = next.dim = undefined;
    else if (p === 23) next.italic = undefined;
    else if (p === 24) next.underline = undefined;
    else if (p === 27) next.inverse = undefined;
    else if (p >= 30 && p <= 37) next.fg = BASE[p - 30];
    else if (p === 39) next.fg = undefined;
    else if (p >= 40 && p <= 47) next.bg = BASE[p - 40];
    else if (p === 49) next.bg = undefined;
    else if (p >= 90 && p <= 97) next.fg = BASE[p - 90 + 8];
    else if (p >= 100 && p <= 107) next.bg = BASE[p - 100 + 8];
    else if (p === 38 || p === 48) {
      const key = p === 38 ? "fg" : "bg";
      if (params[i + 1] === 5) {
        next[key] = color256(params[i + 2] ?? -1);
        i += 2;
      } else if (params[i + 1] === 2) {
        const [r, g, b] = [params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0];
        next[key] = `rgb(${r},${g},${b})`;
        i += 4;
      }
    }
  }
  return next;
}

const sgrParams = (sequence: string): number[] | undefined => {
  if (!sequence.startsWith("\u001b[") || !sequence.endsWith("m")) return undefined;
  const body = sequence.slice(2, -1);
  return body === "" ? [0] : body.split(/[;:]/).map((s) => Number.parseInt(s, 10) || 0);
};

/** Splits a line into styled spans, starting from `style`. */
export function parseAnsi(line: string, style: AnsiStyle = {}): AnsiSpan[] {
  const spans: AnsiSpan[] = [];
  let current = style;
  let last = 0;
  for (const match of line.matchAll(ESCAPES)) {
    if (match.index > last) spans.push({ text: line.slice(last, match.index), style: current });
    const params = sgrParams(match[0]);
    if (params) current = applySgr(current, params);
    last = match.index + match[0].length;
  }
  if (last < line.length) spans.push({ text: line.slice(last), style: current });
  return spans;
}

/** The style in force after a line (to start the next one with). */
export function endStyle(line: string, style: AnsiStyle = {}): AnsiStyle {
  let current = style;
  for (const match of line.matchAll(ESCAPES)) {
    const params = sgrParams(match[0]);
    if (params) current = applySgr(current, params);
  }
  return current;
}

export const stripAnsi = (line: string): string => line.replace(ESCAPES, "");

export const isPlainStyle = (style: AnsiStyle): boolean => Object.values(style).every((v) => v === undefined);
