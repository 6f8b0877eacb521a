/**
 * Values of the expression language and the conversions between them. The language is built on
 * JSON (as Testkube's is): a value is null ("none"), a string, a number, a boolean, a list or a
 * map. Conversions follow Testkube's loose rules: none is "" / 0 / false, lists join with ",",
 * "", "false", "0" and "off" are false, a non-empty list or map is true.
 */

/** A value an expression can produce or read. */
export type Value = null | string | number | boolean | Value[] | ValueMap;

/** A map value. Built without a prototype so that keys such as `__proto__` stay plain data. */
export interface ValueMap {
  [key: string]: Value;
}

/** A map with no prototype (see {@link ValueMap}). */
export const createMap = (entries: Iterable<[string, Value]> = []): ValueMap => {
  const map = Object.create(null) as ValueMap;
  for (const [key, value] of entries) map[key] = value;
  return map;
};

/** True for a map value (not a list, not null). */
export const isMap = (value: Value | undefined): value is ValueMap =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Own-key lookup that never reaches `Object.prototype`. */
export const getKey = (map: ValueMap, key: string): Value | undefined =>
  Object.hasOwn(map, key) ? map[key] : undefined;

/** Why a conversion failed; the evaluator adds the expression and position. */
export class ConversionError extends Error {
  override name = "ConversionError";
}

/** Number formatting close to Go's `%v` for the integers and decimals workflows use. */
const formatNumber = (n: number): string => {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  return String(n);
};

/** The string form: none is "", lists join with ",", maps are JSON. */
export const toText = (value: Value, depth = 0): string => {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (depth > 64) throw new ConversionError("value is nested too deeply to convert to text");
  if (Array.isArray(value)) return value.map((item) => toText(item, depth + 1)).join(",");
  return toJson(value);
};

/** JSON text of a value (keys in insertion order). */
export const toJson = (value: Value): string => JSON.stringify(value) ?? "null";

/** The number form: none is 0; strings must be numeric (Go's ParseFloat). */
export const toNumber = (value: Value): number => {
  if (typeof value === "number") return value;
  if (value === null) return 0;
  if (typeof value === "boolean") throw new ConversionError(`cannot convert ${value} to a number`);
  const text = toText(value).trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith("-") ? -Infinity : Infinity;
  throw new ConversionError(`cannot convert ${JSON.stringify(truncate(text))} to a number`);
};

/** The integer form: the number, truncated toward zero. */
export const toInteger = (value: Value): number => Math.trunc(toNumber(value));

/** The boolean form (see the module header). */
export const toBool = (value: Value): boolean => {
  if (typeof value === "boolean") return value;
  if (value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  const text = toText(value);
  return !(text === "" || text === "false" || text === "0" || text === "off");
};

/** The list form: none is an empty list; a map or a scalar is an error. */
export const toList = (value: Value, what = "value"): Value[] => {
  if (Array.isArray(value)) return value;
  if (value === null) return [];
  throw new ConversionError(`${what} must be a list, got ${describe(value)}`);
};

/** A short description of a value for messages. */
export const describe = (value: Value): string => {
  if (value === null) return "none";
  if (Array.isArray(value)) return "a list";
  if (isMap(value)) return "a map";
  return `${typeof value} ${truncate(JSON.stringify(value))}`;
};

const truncate = (text: string): string => (text.length > 40 ? `${text.slice(0, 37)}...` : text);

/**
 * Converts any JavaScript data (parsed JSON or YAML, config records) into a {@link Value}:
 * undefined becomes none, maps lose their prototype, anything else non-JSON is refused.
 */
export const fromJs = (data: unknown, depth = 0): Value => {
  if (data === null || data === undefined) return null;
  if (typeof data === "string" || typeof data === "boolean") return data;
  if (typeof data === "number") return data;
  if (typeof data === "bigint") return Number(data);
  if (depth > 64) throw new ConversionError("value is nested too deeply");
  if (Array.isArray(data)) return data.map((item) => fromJs(item, depth + 1));
  if (data instanceof Date) return data.toISOString();
  if (typeof data === "object") {
    return createMap(Object.entries(data).map(([k, v]): [string, Value] => [k, fromJs(v, depth + 1)]));
  }
  throw new ConversionError(`unsupported value of type ${typeof data}`);
};
