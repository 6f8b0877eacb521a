/**
 * `{{ }}` templates: text with embedded expressions, as Testkube writes most string fields
 * (`image: "node:{{ config.version }}"`). Each expression's value is converted to text.
 */
import { type Node, printNode } from "./ast.ts";
import { type Deferred, type ExpressionContext, evaluateNode, simplifyNode } from "./evaluate.ts";
import { parseTemplateExpression } from "./parse.ts";
import { toText, type Value } from "./values.ts";

/** A template split into literal text and expressions. */
export type TemplatePart = { text: string } | { node: Node };

/** True when `text` contains `{{` (and so may hold an expression). */
export const hasTemplate = (text: string): boolean => text.includes("{{");

/** Splits a template; throws ExpressionError on a syntax error or an unclosed `{{`. */
export const parseTemplate = (template: string): TemplatePart[] => {
  const parts: TemplatePart[] = [];
  let offset = 0;
  for (;;) {
    const open = template.indexOf("{{", offset);
    if (open < 0) break;
    if (open > offset) parts.push({ text: template.slice(offset, open) });
    const { node, end } = parseTemplateExpression(template, open + 2);
    parts.push({ node });
    offset = end + 2;
  }
  if (offset < template.length) parts.push({ text: template.slice(offset) });
  return parts;
};

/** Evaluates every expression of `template`; throws ExpressionError. */
export const renderTemplate = (template: string, context: ExpressionContext): string =>
  parseTemplate(template)
    .map((part) => ("text" in part ? part.text : toText(evaluateNode(part.node, template, context))))
    .join("");

/** Outcome of partially rendering a template. */
export type PartialTemplate = { done: true; value: string } | { done: false; template: string };

/**
 * Renders what `context` knows and keeps the expressions that need deferred values, so that
 * `echo {{ config.a }}-{{ index }}` becomes `echo A-{{ index }}`. A folded value that itself
 * contains `{{` is kept as a string literal expression, so the runner never evaluates text that
 * came from a value (a config value cannot smuggle in an expression).
 */
export const simplifyTemplate = (
  template: string,
  context: ExpressionContext,
  deferred: Deferred,
): PartialTemplate => {
  const pieces: Array<{ value: string } | { node: Node }> = parseTemplate(template).map((part) => {
    if ("text" in part) return { value: part.text };
    const result = simplifyNode(part.node, template, context, deferred);
    return result.done ? { value: toText(result.value) } : { node: result.node };
  });
  if (pieces.every((p) => "value" in p)) {
    return { done: true, value: pieces.map((p) => (p as { value: string }).value).join("") };
  }
  const text = pieces
    .map((p) => {
      if ("node" in p) return `{{ ${printNode(p.node)} }}`;
      return p.value.includes("{{") ? `{{ ${JSON.stringify(p.value)} }}` : p.value;
    })
    .join("");
  return { done: false, template: text };
};

/** A value as template text (lists join with ",", none is ""). */
export const templateText = (value: Value): string => toText(value);
