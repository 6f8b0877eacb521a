/**
 * Step conditions and `retry.until`. Testkube writes both as expressions; the common ones are
 * keywords (`passed`, `failed`, `always`, `never`, `self.passed`...) that the planner turns into
 * one of four values. Other expressions are folded with what is known when the run starts
 * (`config.enabled && passed` with `enabled: true` is `passed`); what still needs step status
 * stays an expression for a runner that evaluates them (`evaluateCondition`).
 */
import { isExpressionError, simplifyExpression, toBool } from "../expressions/index.ts";
import type { PlanContext } from "./context.ts";
import { RUNTIME_ONLY, toExpressionContext } from "./resolve.ts";
import { rewriteServiceRefs } from "./service-refs.ts";
import type { StepCondition } from "./types.ts";

/**
 * Conditions also leave `env` to the runner: it is the step's environment on the agent's host
 * (declared variables and the host's own), which only the agent sees, so folding it here with
 * the declared variables alone would decide `env.CI == "true"` wrongly.
 */
const CONDITION_RUNTIME = {
  variables: new Set([...RUNTIME_ONLY.variables, "env"]),
  functions: RUNTIME_ONLY.functions,
};

const KEYWORDS: Record<string, "passed" | "failed" | "always" | "never"> = {
  passed: "passed",
  "self.passed": "passed",
  success: "passed",
  failed: "failed",
  "self.failed": "failed",
  failure: "failed",
  always: "always",
  true: "always",
  never: "never",
  false: "never",
};

/** Normalise a condition; `fallback` when absent; runtime expressions need the runner. */
export const normalizeCondition = (
  raw: string | boolean | undefined,
  fallback: StepCondition,
  path: string,
  context: PlanContext,
  ref: string,
): StepCondition => {
  if (raw === undefined) return fallback;
  if (typeof raw === "boolean") return raw ? "always" : "never";
  // Testkube accepts `{{ }}` around a condition too; the braces add nothing.
  const text = rewriteServiceRefs(
    raw
      .trim()
      .replace(/^\{\{([\s\S]*)\}\}$/, "$1")
      .trim(),
  );
  if (text === "") return fallback;
  const keyword = KEYWORDS[text.toLowerCase()];
  if (keyword !== undefined) return keyword;
  let folded: string;
  try {
    const { env: _env, ...known } = toExpressionContext(context).variables;
    const result = simplifyExpression(text, { variables: known }, CONDITION_RUNTIME, true);
    if (result.done) return toBool(result.value) ? "always" : "never";
    folded = result.expression;
  } catch (error) {
    if (!isExpressionError(error)) throw error;
    context.refuse("expressions", path, `condition: ${error.message}`, ref);
    return "never";
  }
  const again = KEYWORDS[folded.toLowerCase()];
  if (again !== undefined) return again;
  const message = `condition "${raw}" is an expression evaluated while the run goes, which this agent does not do yet (use passed, failed, always or never)`;
  context.require("expressions", path, message, ref);
  return folded;
};
