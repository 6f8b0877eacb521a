/**
 * The TestWorkflow expression language: `{{ }}` templates in string fields and bare
 * expressions in `condition` / `retry.until`, over `config`, `env`, `execution`, `workflow`,
 * `index`/`count`/`matrix`/`shard` and step status, with Testkube's operators and standard
 * functions. Browser-safe and `eval`-free; see docs in each module.
 *
 * Entry points for runners: {@link evaluateExpression}, {@link evaluateCondition} and
 * {@link evaluateTemplate}. The planner uses the partial forms to resolve what is known when an
 * execution starts and leave the rest (conditions, matrix values) for the runner.
 */

import { printNode } from "./ast.ts";
import { isExpressionError } from "./errors.ts";
import { type Deferred, type ExpressionContext, evaluateNode, simplifyNode } from "./evaluate.ts";
import { parseExpression } from "./parse.ts";
import { renderTemplate } from "./template.ts";
import { toBool, type Value } from "./values.ts";

export { type Node, printNode } from "./ast.ts";
export { ExpressionError, isExpressionError } from "./errors.ts";
export { type Deferred, type ExpressionContext, MAX_STEPS, MAX_TEXT } from "./evaluate.ts";
export {
  type ExpressionFunction,
  type FunctionCall,
  RUNTIME_FUNCTIONS,
  STANDARD_FUNCTIONS,
} from "./functions.ts";
export { MAX_EXPRESSION_LENGTH, MAX_NESTING, parseExpression } from "./parse.ts";
export { hasTemplate, type PartialTemplate, parseTemplate, simplifyTemplate } from "./template.ts";
export { createMap, fromJs, toBool, toNumber, toText, type Value, type ValueMap } from "./values.ts";

/** Evaluates a bare expression (`config.workers * 2`); throws ExpressionError. */
export const evaluateExpression = (expression: string, context: ExpressionContext): Value =>
  evaluateNode(parseExpression(expression), expression, context);

/** Evaluates a condition to a boolean with Testkube's truthiness; throws ExpressionError. */
export const evaluateCondition = (expression: string, context: ExpressionContext): boolean =>
  toBool(evaluateExpression(expression, context));

/** Renders a `{{ }}` template to text; throws ExpressionError. */
export const evaluateTemplate = (template: string, context: ExpressionContext): string =>
  renderTemplate(template, context);

/** Outcome of partially evaluating a bare expression. */
export type PartialExpression = { done: true; value: Value } | { done: false; expression: string };

/**
 * Folds what `context` knows; the rest (reading `deferred` roots or functions) comes back as
 * expression text. `truthOnly` for conditions, where only truthiness matters.
 */
export const simplifyExpression = (
  expression: string,
  context: ExpressionContext,
  deferred: Deferred,
  truthOnly = false,
): PartialExpression => {
  const result = simplifyNode(parseExpression(expression), expression, context, deferred, truthOnly);
  return result.done ? result : { done: false, expression: printNode(result.node) };
};

/** Result form of {@link evaluateExpression} for callers that prefer not to catch. */
export const tryEvaluateExpression = (
  expression: string,
  context: ExpressionContext,
): { ok: true; value: Value } | { ok: false; error: string } => {
  try {
    return { ok: true, value: evaluateExpression(expression, context) };
  } catch (error) {
    if (isExpressionError(error)) return { ok: false, error: error.message };
    throw error;
  }
};
