/**
 * The standard functions, with Testkube's semantics (pkg/expressions/stdlib.go): casts
 * (`string`, `int`, `float`, `bool`, `list`), serialisation (`json`, `tojson`, `yaml`,
 * `toyaml`, `shellquote`, `shellparse`), text and lists (`join`, `split`, `trim`, `len`,
 * `chunk`, `at`, `range`, `entries`, `map`, `filter`, `eval`), maths (`floor`, `ceil`,
 * `round`), `date`, paths (`abspath`, `relpath`) and the additions Assay documents: `lower`,
 * `upper`, `default` (first value that is neither none nor ""), `contains`.
 *
 * File-system functions (`file`, `glob`) only exist where the runner is: the agent passes
 * them in `ExpressionContext.functions`; the planner leaves calls to them for the runner.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { formatGoDate, RFC3339_MILLIS } from "./date.ts";
import { quoteWord, splitWords } from "./shell.ts";
import {
  createMap,
  describe,
  fromJs,
  getKey,
  isMap,
  toBool,
  toInteger,
  toJson,
  toList,
  toNumber,
  toText,
  type Value,
} from "./values.ts";

/** What a function may use besides its arguments. */
export interface FunctionCall {
  name: string;
  /** Evaluates expression text in the caller's context plus `variables` (`map`, `filter`, `eval`). */
  evaluate(text: string, variables?: Record<string, Value>): Value;
  /** Epoch milliseconds. */
  now(): number;
  /** Directory relative paths resolve against (`abspath`, `relpath`); "/" unless set. */
  workingDir: string;
}

/** A function callable from expressions; throw an Error whose message says what is wrong. */
export type ExpressionFunction = (args: Value[], call: FunctionCall) => Value;

/** Longest list `range` builds. */
export const MAX_RANGE = 100_000;

const arity = (name: string, args: Value[], min: number, max = min) => {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min}-${max}`;
    throw new Error(`${name}() expects ${expected} argument${max === 1 ? "" : "s"}, ${args.length} given`);
  }
};

const unary =
  (name: string, fn: (value: Value) => Value): ExpressionFunction =>
  (args) => {
    arity(name, args, 1);
    return fn(args[0] as Value);
  };

const roundHalfAway = (n: number): number => Math.sign(n) * Math.round(Math.abs(n));

const mapEach = (args: Value[], call: FunctionCall, keep: boolean): Value[] => {
  arity(call.name, args, 2);
  const list = toList(args[0] as Value, `${call.name}() 1st argument`);
  const expression = toText(args[1] as Value);
  const out: Value[] = [];
  list.forEach((value, index) => {
    const result = call.evaluate(expression, {
      _: createMap([
        ["value", value],
        ["index", index],
        ["key", index],
      ]),
    });
    if (!keep) out.push(result);
    else if (toBool(result)) out.push(value);
  });
  return out;
};

const normalizePath = (path: string): string => {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
};

const absolute = (path: string, base: string): string =>
  normalizePath(path.startsWith("/") ? path : `${normalizePath(base)}/${path}`);

const relative = (to: string, from: string): string => {
  const a = to.split("/").filter(Boolean);
  const b = from.split("/").filter(Boolean);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const up = b.slice(common).map(() => "..");
  return [...up, ...a.slice(common)].join("/") || ".";
};

/** The standard library by name. */
export const STANDARD_FUNCTIONS: Readonly<Record<string, ExpressionFunction>> = {
  string: (args) => args.map((a) => toText(a)).join(""),
  list: (args) => [...args],
  join: (args) => {
    arity("join", args, 1, 2);
    if (args[0] === null) return null;
    const list = toList(args[0] as Value, "join() 1st argument");
    return list.map((v) => toText(v)).join(args.length === 2 ? toText(args[1] as Value) : ",");
  },
  split: (args) => {
    arity("split", args, 1, 2);
    return toText(args[0] as Value).split(args.length === 2 ? toText(args[1] as Value) : ",");
  },
  int: unary("int", toInteger),
  float: unary("float", toNumber),
  bool: unary("bool", toBool),
  tojson: unary("tojson", toJson),
  json: unary("json", (value) => {
    if (typeof value !== "string") throw new Error(`json() expects a string, got ${describe(value)}`);
    try {
      return fromJs(JSON.parse(value));
    } catch (error) {
      throw new Error(`json() could not parse its argument: ${(error as Error).message}`);
    }
  }),
  toyaml: unary("toyaml", (value) => stringifyYaml(value)),
  yaml: unary("yaml", (value) => {
    if (typeof value !== "string") throw new Error(`yaml() expects a string, got ${describe(value)}`);
    try {
      return fromJs(parseYaml(value, { maxAliasCount: 100 }));
    } catch (error) {
      throw new Error(`yaml() could not parse its argument: ${(error as Error).message}`);
    }
  }),
  shellquote: (args) => args.map((a) => quoteWord(toText(a))).join(" "),
  shellparse: unary("shellparse", (value) => {
    try {
      return splitWords(toText(value));
    } catch (error) {
      throw new Error(`shellparse(): ${(error as Error).message}`);
    }
  }),
  trim: unary("trim", (value) => {
    if (typeof value !== "string") throw new Error(`trim() expects a string, got ${describe(value)}`);
    return value.trim();
  }),
  lower: unary("lower", (value) => toText(value).toLowerCase()),
  upper: unary("upper", (value) => toText(value).toUpperCase()),
  len: unary("len", (value) => {
    if (typeof value === "string" || Array.isArray(value)) return value.length;
    if (isMap(value)) return Object.keys(value).length;
    throw new Error(`len() expects a string, list or map, got ${describe(value)}`);
  }),
  floor: unary("floor", (value) => Math.floor(toNumber(value))),
  ceil: unary("ceil", (value) => Math.ceil(toNumber(value))),
  round: unary("round", (value) => roundHalfAway(toNumber(value))),
  chunk: (args) => {
    arity("chunk", args, 2);
    const list = toList(args[0] as Value, "chunk() 1st argument");
    const size = toInteger(args[1] as Value);
    if (size < 1) throw new Error(`chunk() size must be 1 or more, got ${size}`);
    const chunks: Value[] = [];
    for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
    return chunks;
  },
  at: (args) => {
    arity("at", args, 2);
    const [target, key] = args as [Value, Value];
    if (isMap(target)) return getKey(target, toText(key)) ?? null;
    if (Array.isArray(target) || typeof target === "string") {
      const index = toInteger(key);
      if (index < 0 || index >= target.length) {
        // The value itself says why (`split(dashboard.url, "app-")` of a URL without "app-");
        // Testkube's at() fails on it too.
        const shown = JSON.stringify(target);
        throw new Error(
          `at(): index ${index} is out of bounds of ${shown.length > 120 ? `${shown.slice(0, 117)}...` : shown} (length ${target.length}; Testkube's at() fails on it too)`,
        );
      }
      return target[index] as Value;
    }
    throw new Error(`at() works on lists, maps and strings, got ${describe(target)}`);
  },
  entries: unary("entries", (value) => {
    if (value === null) return [];
    if (!isMap(value)) throw new Error(`entries() expects a map, got ${describe(value)}`);
    return Object.entries(value).map(([key, v]) =>
      createMap([
        ["key", key],
        ["value", v],
      ]),
    );
  }),
  map: (args, call) => mapEach(args, call, false),
  filter: (args, call) => mapEach(args, call, true),
  eval: (args, call) => {
    arity("eval", args, 1);
    return call.evaluate(toText(args[0] as Value));
  },
  range: (args) => {
    arity("range", args, 1, 2);
    const from = args.length === 1 ? 0 : toInteger(args[0] as Value);
    const to = toInteger(args[args.length - 1] as Value);
    const count = Math.max(0, to - from);
    if (count > MAX_RANGE) throw new Error(`range() would build ${count} items; the limit is ${MAX_RANGE}`);
    return Array.from({ length: count }, (_, i) => from + i);
  },
  date: (args, call) => {
    arity("date", args, 0, 1);
    return formatGoDate(call.now(), args.length === 0 ? RFC3339_MILLIS : toText(args[0] as Value));
  },
  abspath: (args, call) => {
    arity("abspath", args, 1, 2);
    return absolute(toText(args[0] as Value), args.length === 2 ? toText(args[1] as Value) : call.workingDir);
  },
  relpath: (args, call) => {
    arity("relpath", args, 1, 2);
    const base = args.length === 2 ? toText(args[1] as Value) : call.workingDir;
    return relative(absolute(toText(args[0] as Value), call.workingDir), absolute(base, call.workingDir));
  },
  default: (args) => {
    arity("default", args, 1, Infinity);
    return args.find((a) => a !== null && a !== "") ?? (args[args.length - 1] as Value);
  },
  contains: (args) => {
    arity("contains", args, 2);
    const [haystack, needle] = args as [Value, Value];
    if (Array.isArray(haystack)) return haystack.some((item) => toText(item) === toText(needle));
    if (isMap(haystack)) return Object.hasOwn(haystack, toText(needle));
    return toText(haystack).includes(toText(needle));
  },
};

/** Functions that exist only where the runner is (file system). */
export const RUNTIME_FUNCTIONS: readonly string[] = ["file", "glob"];

/** Testkube functions Assay cannot offer, with the reason shown instead of "unknown function". */
export const UNAVAILABLE_FUNCTIONS: Readonly<Record<string, string>> = {
  secret:
    "secret() reads credentials, which the agent fetches when the run starts; it cannot be used where values known only while a step runs are needed",
  credential:
    "credential() reads credentials, which the agent fetches when the run starts; it cannot be used where values known only while a step runs are needed",
  jq: "jq() is not supported; use map(), filter() and member access instead",
};
