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
  const bare = text
    .trim()
    .replace(/^\{\{([\s\S]*)\}\}$/, "$1")
    .trim();
  const result = simplifyExpression(bare, toExpressionContext(context), RUNTIME_ONLY);
  return result.done ? { value: result.value } : { runtime: result.expression };
};

const toList = (value: DynamicList, context: PlanContext): Value[] => {
  if (Array.isArray(value)) return value.map((item) => fromJs(item as never));
  if (typeof value !== "string") return [value];
  const result = evaluate(value, context);
  if ("runtime" in result) throw new RuntimeValue(result.runtime);
  const list = result.value;
  return Array.isArray(list) ? list : list === null ? [] : [list];
};

const toCount = (value: IntOrString, name: string, context: PlanContext): number => {
  let n: number;
  if (typeof value === "number") n = value;
  else {
    const result = evaluate(value, context);
    if ("runtime" in result) throw new RuntimeValue(result.runtime);
    n = Number(result.value);
  }
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${String(n)}`);
  return n;
};

class RuntimeValue extends Error {}

/** Expands `strategy`; see the module header. */
export const expandStrategy = (strategy: Strategy, context: PlanContext): FanOut => {
  try {
    const matrix = Object.entries(strategy.matrix ?? {}).map(([name, values]): [string, Value[]] => [
      name,
      toList(values, context),
    ]);
    const shards = Object.entries(strategy.shards ?? {}).map(([name, values]): [string, Value[]] => [
      name,
      toList(values, context),
    ]);
    const count = strategy.count === undefined ? undefined : toCount(strategy.count, "count", context);
    const maxCount =
      strategy.maxCount === undefined ? undefined : toCount(strategy.maxCount, "maxCount", context);
    const slices = shardCount(count, maxCount, shards);
    let combinations: ValueMap[] = [createMap()];
    for (const [name, values] of matrix) {
      combinations = combinations.flatMap((combo) =>
        values.map((value) => createMap([...Object.entries(combo), [name, value]])),
      );
    }
    const total = combinations.length * slices;
    if (total > MAX_INSTANCES) {
      return {
        ok: false,
        reason: `${total} instances is more than the ${MAX_INSTANCES} a run may fan out to`,
      };
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
  } catch (error) {
    if (error instanceof RuntimeValue) {
      return {
        ok: false,
        reason: `the fan-out reads ${error.message}, which is known only while the run goes; counts must come from literals or config`,
      };
    }
    if (isExpressionError(error) || error instanceof Error) return { ok: false, reason: error.message };
    throw error;
  }
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
