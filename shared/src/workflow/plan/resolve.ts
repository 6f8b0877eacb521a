/**
 * The small part of Testkube's expression language the planner resolves itself: `{{ config.x }}`
 * (the run's configuration values), `{{ env.X }}` (the step's literal environment, empty when
 * unset, as in Testkube) and string literals (`{{ "{" }}`, Testkube's way to write braces).
 * Anything else (`{{ index }}`, `{{ credential("x") }}`, arithmetic...) is reported back so the
 * planner can list it as unsupported instead of passing `{{ ... }}` through to a shell.
 */
import { parseDuration } from "../duration.ts";

/** Values an expression may read. */
export interface ResolveContext {
  config: Record<string, string>;
  env?: Record<string, string>;
}

/** A resolved string, or the first expression that could not be resolved. */
export type Resolved = { ok: true; value: string } | { ok: false; expression: string };

const EXPRESSION = /\{\{([\s\S]*?)\}\}/g;
const CONFIG_REF = /^config\.([A-Za-z_][A-Za-z0-9_]*)$/;
const ENV_REF = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/;
const STRING_LITERAL = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/;

/** Replace every `{{ ... }}` in `text`; fails on the first one outside the supported subset. */
export const resolveTemplate = (text: string, context: ResolveContext): Resolved => {
  let failed: string | undefined;
  const value = text.replace(EXPRESSION, (whole, inner: string) => {
    const resolved = resolveExpression(inner.trim(), context);
    if (resolved === undefined) failed ??= whole;
    return resolved ?? whole;
  });
  return failed === undefined ? { ok: true, value } : { ok: false, expression: failed };
};

/** Resolve a bare expression (no braces), as Testkube's `count` or `condition` fields hold. */
export const resolveExpression = (expression: string, context: ResolveContext): string | undefined => {
  const config = CONFIG_REF.exec(expression);
  if (config?.[1] !== undefined) return context.config[config[1]];
  const env = ENV_REF.exec(expression);
  if (env?.[1] !== undefined) return context.env?.[env[1]] ?? "";
  const literal = STRING_LITERAL.exec(expression);
  if (literal !== null) return literal[2] ?? unquote(literal[1] ?? "");
  if (/^-?\d+(\.\d+)?$/.test(expression) || expression === "true" || expression === "false")
    return expression;
  return undefined;
};

const unquote = (body: string): string => {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return body;
  }
};

/** A number-or-expression field resolved to an integer, or the reason it could not be. */
export const resolveInteger = (
  value: number | string,
  context: ResolveContext,
): { ok: true; value: number } | { ok: false; reason: string } => {
  if (typeof value === "number") return { ok: true, value };
  const resolved = resolveTemplate(value, context);
  if (!resolved.ok) return { ok: false, reason: `expression ${resolved.expression} is not supported` };
  const n = Number(resolved.value.trim());
  return Number.isInteger(n)
    ? { ok: true, value: n }
    : { ok: false, reason: `"${resolved.value}" is not an integer` };
};

/** A boolean-or-expression field resolved to a boolean, or the reason it could not be. */
export const resolveBoolean = (
  value: boolean | string,
  context: ResolveContext,
): { ok: true; value: boolean } | { ok: false; reason: string } => {
  if (typeof value === "boolean") return { ok: true, value };
  const resolved = resolveTemplate(value, context);
  if (!resolved.ok) return { ok: false, reason: `expression ${resolved.expression} is not supported` };
  const text = resolved.value.trim();
  if (text === "true" || text === "false") return { ok: true, value: text === "true" };
  return { ok: false, reason: `"${text}" is not a boolean` };
};

/** A duration-or-expression field resolved to milliseconds, or the reason it could not be. */
export const resolveDurationMs = (
  value: string,
  context: ResolveContext,
): { ok: true; value: number } | { ok: false; reason: string } => {
  const resolved = resolveTemplate(value, context);
  if (!resolved.ok) return { ok: false, reason: `expression ${resolved.expression} is not supported` };
  const parsed = parseDuration(resolved.value);
  return parsed.ok ? { ok: true, value: parsed.ms } : { ok: false, reason: parsed.error };
};
