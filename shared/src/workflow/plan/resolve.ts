/**
 * Resolving `{{ }}` expressions while planning, with the expression engine (../expressions).
 * What is known when an execution starts (`config`, `env`, `execution`, `workflow`, literals,
 * the standard functions) is folded; what only the runner knows (step status, `index`,
 * `matrix`, `shard`, `file()`...) is left in place as a smaller expression, for a runner that
 * evaluates expressions (feature `expressions`) to finish with `evaluateExpression`.
 */

import { parseDuration } from "../duration.ts";
import {
  type Deferred,
  type ExpressionContext,
  type ExpressionFunction,
  fromJs,
  hasTemplate,
  isExpressionError,
  simplifyTemplate,
  type Value,
} from "../expressions/index.ts";
import { rewriteServiceTemplates } from "./service-refs.ts";

/** Values an expression may read while planning. */
export interface ResolveContext {
  /** The run's config values as strings (typed through `scope.config` when given). */
  config: Record<string, string>;
  /** The step's literal environment (`{{ env.X }}` is "" when unset, as in Testkube). */
  env?: Record<string, string>;
  /** Further roots (`config` typed by its schema, `execution`, `workflow`). */
  scope?: Record<string, Value>;
  /** Extra functions known when planning (the agent's `credential()` and `secret()`). */
  functions?: Record<string, ExpressionFunction>;
}

/**
 * Roots and functions only the runner knows: step status (`passed`, `failed`, `status`,
 * `self`), fan-out (`index`, `count`, `matrix`, `shard`), services, step outputs (`step`) and
 * the file system.
 */
export const RUNTIME_ONLY: Deferred = {
  variables: new Set([
    "passed",
    "failed",
    "status",
    "self",
    "steps",
    "index",
    "count",
    "matrix",
    "shard",
    "matrixIndex",
    "matrixCount",
    "shardIndex",
    "shardCount",
    "services",
    "step",
  ]),
  functions: new Set(["file", "glob"]),
};

/** A resolved string, a string that still holds runtime expressions, or an error. */
export type Resolved =
  | { ok: true; value: string }
  | { ok: false; runtime: true; template: string; reason: string }
  | { ok: false; runtime: false; reason: string };

/** The engine's context for a resolve context. */
export const toExpressionContext = (context: ResolveContext): ExpressionContext => ({
  variables: {
    config: fromJs(context.config),
    ...context.scope,
    env: fromJs(context.env ?? {}),
  },
  ...(context.functions === undefined ? {} : { functions: context.functions }),
});

/** Resolve every `{{ }}` of `text` that planning can; see {@link Resolved}. */
export const resolveTemplate = (raw: string, context: ResolveContext): Resolved => {
  if (!hasTemplate(raw)) return { ok: true, value: raw };
  const text = rewriteServiceTemplates(raw);
  try {
    const result = simplifyTemplate(text, toExpressionContext(context), RUNTIME_ONLY);
    if (result.done) return { ok: true, value: result.value };
    const reason = `expression in ${JSON.stringify(result.template)} reads values known only while the step runs (step status, index, matrix, shard, step outputs or files)`;
    return { ok: false, runtime: true, template: result.template, reason };
  } catch (error) {
    if (isExpressionError(error)) return { ok: false, runtime: false, reason: error.message };
    throw error;
  }
};

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A number-or-expression field resolved to an integer, or the reason it could not be. */
export const resolveInteger = (value: number | string, context: ResolveContext): Outcome<number> => {
  if (typeof value === "number") return { ok: true, value };
  const resolved = resolveTemplate(value, context);
  if (!resolved.ok) return resolved;
  const n = Number(resolved.value.trim());
  return Number.isInteger(n) && resolved.value.trim() !== ""
    ? { ok: true, value: n }
    : { ok: false, reason: `"${resolved.value}" is not an integer` };
};

/** A boolean-or-expression field resolved to a boolean, or the reason it could not be. */
export const resolveBoolean = (value: boolean | string, context: ResolveContext): Outcome<boolean> => {
  if (typeof value === "boolean") return { ok: true, value };
  const resolved = resolveTemplate(value, context);
  if (!resolved.ok) return resolved;
  const text = resolved.value.trim();
  if (text === "true" || text === "false") return { ok: true, value: text === "true" };
  return { ok: false, reason: `"${text}" is not a boolean` };
};

/** A duration-or-expression field resolved to milliseconds, or the reason it could not be. */
export const resolveDurationMs = (value: string, context: ResolveContext): Outcome<number> => {
  const resolved = resolveTemplate(value, context);
  if (!resolved.ok) return resolved;
  const parsed = parseDuration(resolved.value);
  return parsed.ok ? { ok: true, value: parsed.ms } : { ok: false, reason: parsed.error };
};
