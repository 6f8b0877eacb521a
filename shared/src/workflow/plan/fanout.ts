/**
 * Fan-out of parallel workers and service instances (Testkube's `count` / `maxCount` /
 * `matrix` / `shards`), resolved when the run is planned so that every worker has a ref in the
 * step tree from the start.
 *
 * - `matrix`: one instance per combination of the listed values (cartesian product, in the
 *   order the parameters are written).
 * - `shards`: the listed values split in contiguous slices, the first ones one value larger
 *   (Testkube's `GetShardValues`); the number of slices is `count` (default 1), or `maxCount`
 *   capped by the shortest list (see `shardCount`).
 * - `count` alone: that many identical instances.
 *
 * Instances = combinations x slices. Each gets `index` (0-based), `count` (the total),
 * `matrixIndex`, `matrixCount`, `shardIndex`, `shardCount`, `matrix.<name>` (one value) and
 * `shard.<name>` (a list).
 */
import {
  createMap,
  fromJs,
  isExpressionError,
  simplifyExpression,
  type Value,
  type ValueMap,
} from "../expressions/index.ts";
import type { DynamicList, IntOrString } from "../schema/primitives.ts";
import type { PlanContext } from "./context.ts";
import { RUNTIME_ONLY, toExpressionContext } from "./resolve.ts";

/** Largest fan-out the planner expands: a step tree with more nodes would be unreadable. */
export const MAX_INSTANCES = 256;

/** The fan-out fields of a `parallel` block, a service or an `execute` entry. */
export interface Strategy {
  count?: IntOrString | undefined;
  maxCount?: IntOrString | undefined;
  matrix?: Record<string, DynamicList> | undefined;
  shards?: Record<string, DynamicList> | undefined;
}

/** The variables of every instance, or why the fan-out cannot be planned. */
export type FanOut = { ok: true; instances: ValueMap[] } | { ok: false; reason: string };

/** True when `strategy` asks for fan-out at all. */
export const hasFanOut = (strategy: Strategy): boolean =>
  strategy.count !== undefined ||
  strategy.matrix !== undefined ||
  strategy.shards !== undefined ||
  strategy.maxCount !== undefined;

/** Evaluates a bare-or-braced expression with what planning knows; undefined when it needs runtime values. */
const evaluate = (text: string, context: PlanContext): { value: Value } | { runtime: string } => {
  const result = simplifyExpression(bareExpression(text), toExpressionContext(context), RUNTIME_ONLY);
  return result.done ? { value: result.value } : { runtime: result.expression };
};

/** The expression inside `{{ }}`, or the text itself (fan-out fields take both spellings). */
export const bareExpression = (text: string): string =>
  text
    .trim()
    .replace(/^\{\{([\s\S]*)\}\}$/, "$1")
    .trim();

/** A fan-out field's value: a list of values (matrix, shards) or a number (count, maxCount). */
type Field = { value: Value } | { runtime: string };

/** Reads the fan-out fields with `read` (plan time or run time); the runtime ones are kept as text. */
const readFields = (strategy: Strategy, read: (text: string) => Field) => {
  const list = (value: DynamicList): Field =>
    Array.isArray(value)
      ? { value: value.map((item) => fromJs(item as never)) }
      : typeof value === "string"
        ? read(value)
        : { value: [value] };
  const number = (value: IntOrString | undefined): Field | undefined =>
    value === undefined ? undefined : typeof value === "number" ? { value } : read(value);
  const lists = (entries: Record<string, DynamicList> | undefined) =>
    Object.entries(entries ?? {}).map(([name, values]): [string, Field] => [name, list(values)]);
  return {
    matrix: lists(strategy.matrix),
    shards: lists(strategy.shards),
    count: number(strategy.count),
    maxCount: number(strategy.maxCount),
  };
};

/** A fan-out with every value known. */
export interface ResolvedStrategy {
  matrix: Array<[string, Value[]]>;
  shards: Array<[string, Value[]]>;
  count?: number | undefined;
  maxCount?: number | undefined;
}

/** A list field's value as Testkube reads it: a list, none as empty, anything else as one value. */
const asList = (value: Value): Value[] => (Array.isArray(value) ? value : value === null ? [] : [value]);

/** A count as Testkube's toolkit reads it; throws saying why it is not one. */
export const asCount = (value: Value, name: string): number => {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  if (n < 0) {
    throw new Error(
      `${name} must not be lower than zero, got ${n} (Testkube refuses it too: its toolkit fails the step with "should not be lower than zero")`,
    );
  }
  return n;
};

/** Expands `strategy`, resolving its fields with `read` (plan or run time); see the module header. */
export const expandWith = (strategy: Strategy, read: (text: string) => Value): FanOut => {
  try {
    const fields = readFields(strategy, (text) => ({ value: read(text) }));
    const known = (field: Field | undefined) =>
      field !== undefined && "value" in field ? field.value : null;
    return expandResolved({
      matrix: fields.matrix.map(([name, f]) => [name, asList(known(f))]),
      shards: fields.shards.map(([name, f]) => [name, asList(known(f))]),
      count: fields.count === undefined ? undefined : asCount(known(fields.count), "count"),
      maxCount: fields.maxCount === undefined ? undefined : asCount(known(fields.maxCount), "maxCount"),
    });
  } catch (error) {
    if (isExpressionError(error) || error instanceof Error) return { ok: false, reason: error.message };
    throw error;
  }
};

/** Expands `strategy` with what planning knows; see the module header. */
export const expandStrategy = (strategy: Strategy, context: PlanContext): FanOut => {
  const runtime: string[] = [];
  const result = expandWith(strategy, (text) => {
    const field = evaluate(text, context);
    if ("value" in field) return field.value;
    runtime.push(field.runtime);
    return null;
  });
  if (runtime.length > 0) {
    return {
      ok: false,
      reason: `the fan-out reads ${runtime.join(", ")}, which is known only while the run goes; counts must come from literals or config`,
    };
  }
  return result;
};

/**
 * A fan-out that reads run-time values (`glob()`, files), for the agent to resolve when the step
 * is reached: the fields with config folded in, and how many workers it can give at most (the
 * step tree is fixed when the run starts, so each possible worker is planned as a slot). A
 * matrix or a count known only at run time has no such bound without `maxCount`.
 */
export const deferStrategy = (
  strategy: Strategy,
  context: PlanContext,
): { ok: true; slots: number; fanOut: Strategy } | { ok: false; reason: string } | undefined => {
  try {
    const fields = readFields(strategy, (text) => evaluate(text, context));
    const all = [...fields.matrix, ...fields.shards].map(([, f]) => f);
    if (fields.count !== undefined) all.push(fields.count);
    if (fields.maxCount !== undefined) all.push(fields.maxCount);
    const runtime = all.flatMap((f) => ("runtime" in f ? [f.runtime] : []));
    if (runtime.length === 0) return undefined;
    const matrixRuntime = fields.matrix.find(([, f]) => "runtime" in f);
    if (matrixRuntime !== undefined) {
      return {
        ok: false,
        reason: `matrix ${matrixRuntime[0]} reads ${(matrixRuntime[1] as { runtime: string }).runtime}, known only while the run goes; a run's step tree is fixed when it starts, so only shards (with maxCount or count) may come from run-time values`,
      };
    }
    const max = fields.maxCount;
    const count = fields.count;
    let slots: number;
    if (max !== undefined && "value" in max) slots = asCount(max.value, "maxCount");
    else if (max === undefined && count !== undefined && "value" in count)
      slots = asCount(count.value, "count");
    else if (max === undefined && count === undefined) slots = 1;
    else {
      return {
        ok: false,
        reason: `${max === undefined ? "count" : "maxCount"} reads ${runtime.join(", ")}, known only while the run goes; a run's step tree is fixed when it starts, so give maxCount as a literal or config value to bound them`,
      };
    }
    const combinations = fields.matrix.reduce(
      (n, [, f]) => n * asList((f as { value: Value }).value).length,
      1,
    );
    if (combinations * slots > MAX_INSTANCES) {
      return {
        ok: false,
        reason: `up to ${combinations * slots} instances is more than the ${MAX_INSTANCES} a run may fan out to`,
      };
    }
    const text = (f: Field): DynamicList => ("runtime" in f ? f.runtime : (f.value as DynamicList));
    const fanOut: Strategy = {};
    if (fields.matrix.length > 0)
      fanOut.matrix = Object.fromEntries(fields.matrix.map(([n, f]) => [n, text(f)]));
    if (fields.shards.length > 0)
      fanOut.shards = Object.fromEntries(fields.shards.map(([n, f]) => [n, text(f)]));
    const number = (f: Field): IntOrString => ("runtime" in f ? f.runtime : asCount(f.value, "count"));
    if (count !== undefined) fanOut.count = number(count);
    if (max !== undefined) fanOut.maxCount = number(max as Field);
    return { ok: true, slots: combinations * slots, fanOut };
  } catch (error) {
    if (isExpressionError(error) || error instanceof Error) return { ok: false, reason: error.message };
    throw error;
  }
};

/** The instances of a fan-out whose values are all known. */
export const expandResolved = (resolved: ResolvedStrategy): FanOut => {
  // Testkube drops matrix and shard parameters whose list is empty.
  const matrix = resolved.matrix.filter(([, values]) => values.length > 0);
  const shards = resolved.shards.filter(([, values]) => values.length > 0);
  const slices = shardCount(resolved.count, resolved.maxCount, shards);
  let combinations: ValueMap[] = [createMap()];
  for (const [name, values] of matrix) {
    combinations = combinations.flatMap((combo) =>
      values.map((value) => createMap([...Object.entries(combo), [name, value]])),
    );
  }
  const total = combinations.length * slices;
  if (total > MAX_INSTANCES) {
    return { ok: false, reason: `${total} instances is more than the ${MAX_INSTANCES} a run may fan out to` };
  }
  const instances: ValueMap[] = [];
  combinations.forEach((combo, matrixIndex) => {
    for (let shardIndex = 0; shardIndex < slices; shardIndex++) {
      const shard = createMap(
        shards.map(([name, values]): [string, Value] => [name, slice(values, shardIndex, slices)]),
      );
      instances.push(
        createMap([
          ["index", instances.length],
          ["count", total],
          ["matrixIndex", matrixIndex],
          ["matrixCount", combinations.length],
          ["shardIndex", shardIndex],
          ["shardCount", slices],
          ["matrix", combo],
          ["shard", shard],
        ]),
      );
    }
  });
  return { ok: true, instances };
};

/**
 * How many shards, as Testkube's toolkit decides: `count`, else 1; a `maxCount` below `count`
 * wins; otherwise a `maxCount` sets the number, capped by the shortest shard list.
 */
const shardCount = (
  count: number | undefined,
  maxCount: number | undefined,
  shards: ReadonlyArray<[string, Value[]]>,
): number => {
  if (maxCount === undefined) return count ?? 1;
  if (count !== undefined && maxCount < count) return maxCount;
  const shortest =
    shards.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...shards.map(([, v]) => v.length));
  return maxCount > shortest ? shortest : maxCount;
};

/**
 * The `index`-th of `parts` contiguous slices of `values`, as Testkube's `GetShardValues`
 * cuts them: the first `length % parts` slices hold one value more; beyond the values, empty.
 */
const slice = (values: Value[], index: number, parts: number): Value[] => {
  if (index >= values.length) return [];
  const size = Math.floor(values.length / parts);
  const larger = values.length - size * parts;
  const from = index < larger ? index * (size + 1) : larger + index * size;
  return values.slice(from, from + (index < larger ? size + 1 : size));
};

/** A short label for a worker or instance: `browser=chrome, 2/4`. */
export const describeInstance = (instance: ValueMap): string => {
  const parts: string[] = [];
  const matrix = instance.matrix;
  if (matrix !== null && typeof matrix === "object" && !Array.isArray(matrix)) {
    for (const [name, value] of Object.entries(matrix)) parts.push(`${name}=${JSON.stringify(value)}`);
  }
  const shard = instance.shard;
  if (shard !== null && typeof shard === "object" && !Array.isArray(shard) && Object.keys(shard).length > 0) {
    parts.push(`shard ${Number(instance.shardIndex) + 1}`);
  }
  if (parts.length === 0) parts.push(`${Number(instance.index) + 1} of ${Number(instance.count)}`);
  return parts.join(", ");
};
