/**
 * Tokenizer of the expression language. Positions are offsets into the source text so errors
 * can point at the token. Strings are JSON strings (double quotes, JSON escapes) or
 * single-quoted strings with `\'` and `\\` escapes; numbers are JSON numbers.
 */
import { ExpressionError } from "./errors.ts";

/** Kinds of tokens. */
export type TokenKind = "number" | "string" | "identifier" | "operator" | "punct" | "end";

/** One token and where it starts. */
export interface Token {
  kind: TokenKind;
  /** The operator or punctuation text, the identifier, or the decoded literal. */
  value: string | number;
  position: number;
}

/** Longest first, so `**` wins over `*` and `...` over `.`. */
const OPERATORS = [
  "...",
  "**",
  "==",
  "!=",
  "<>",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "!",
  "=",
  "?",
  ":",
];
const PUNCT = new Set(["(", ")", "[", "]", "{", "}", ",", "."]);
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*/;

/**
 * Tokenize `text` from `start` (a template passes the offset after `{{`) up to the end, or up to
 * `}}` when `stopAtClose`; returns the tokens (ending with an `end` token) and the stop offset.
 */
export const tokenize = (text: string, start = 0, stopAtClose = false): { tokens: Token[]; end: number } => {
  const tokens: Token[] = [];
  let i = start;
  // `}}` inside a map literal (`{"a": {"b": 1}}`) closes the map, not the template.
  let braces = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (stopAtClose && braces === 0 && c === "}" && text[i + 1] === "}") {
      tokens.push({ kind: "end", value: "", position: i });
      return { tokens, end: i };
    }
    const rest = text.slice(i, i + 64);
    if (c === '"' || c === "'") {
      const { value, next } = readString(text, i);
      tokens.push({ kind: "string", value, position: i });
      i = next;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    // `.` right after a value is member access, as in Testkube: `at(services, "db").0.ip`.
    if (c === "." && text[i + 1] !== "." && previous !== undefined && endsValue(previous)) {
      tokens.push({ kind: "punct", value: ".", position: i });
      i++;
      continue;
    }
    // After that `.`, digits are a list position (`.0`), never a decimal (`.1.ip` is not 0.1).
    if (previous?.kind === "punct" && previous.value === "." && /[0-9]/.test(c)) {
      const digits = readLong(text, i, /^[0-9]+/);
      tokens.push({ kind: "number", value: Number(digits), position: i });
      i += digits.length;
      continue;
    }
    const number =
      /[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? "")) ? NUMBER.exec(rest) : null;
    if (number !== null) {
      const literal = readLong(text, i, NUMBER);
      tokens.push({ kind: "number", value: Number(literal), position: i });
      i += literal.length;
      continue;
    }
    const identifier = IDENTIFIER.exec(rest);
    if (identifier !== null) {
      const name = readLong(text, i, IDENTIFIER);
      tokens.push({ kind: "identifier", value: name, position: i });
      i += name.length;
      continue;
    }
    const operator = OPERATORS.find((op) => text.startsWith(op, i));
    if (operator !== undefined) {
      tokens.push({ kind: "operator", value: operator, position: i });
      i += operator.length;
      continue;
    }
    if (PUNCT.has(c)) {
      if (c === "{") braces++;
      else if (c === "}") braces = Math.max(0, braces - 1);
      tokens.push({ kind: "punct", value: c, position: i });
      i++;
      continue;
    }
    throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, text, i);
  }
  if (stopAtClose) throw new ExpressionError("expression is not closed with }}", text, start);
  tokens.push({ kind: "end", value: "", position: text.length });
  return { tokens, end: text.length };
};

/** True when `token` ends an operand, so a `.` after it reads a property of that value. */
const endsValue = (token: Token): boolean =>
  token.kind === "identifier" ||
  token.kind === "string" ||
  token.kind === "number" ||
  (token.kind === "punct" && (token.value === ")" || token.value === "]" || token.value === "}"));

/** A regex match that may be longer than the 64-character window used for the first try. */
const readLong = (text: string, at: number, pattern: RegExp): string =>
  pattern.exec(text.slice(at))?.[0] ?? "";

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "/": "/" };

/** Reads a quoted string starting at `at`; returns the decoded value and the offset after it. */
const readString = (text: string, at: number): { value: string; next: number } => {
  const quote = text[at];
  let value = "";
  let i = at + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === quote) return { value, next: i + 1 };
    if (c === "\\") {
      const e = text[i + 1];
      if (e === undefined) break;
      if (e === "u") {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExpressionError("invalid \\u escape in string", text, i);
        value += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
        continue;
      }
      if (e === quote || e === "\\") value += e;
      else if (ESCAPES[e] !== undefined) value += ESCAPES[e];
      else throw new ExpressionError(`invalid escape \\${e} in string`, text, i);
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw new ExpressionError("string is not closed", text, at);
};
