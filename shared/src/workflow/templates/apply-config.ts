/**
 * A template's `config` applied to its body, as Testkube's ApplyWorkflowTemplateConfig does:
 * each `config.x` the template reads becomes the value given in `use[].config` (or the
 * parameter's default). A given value may itself hold `{{ }}` expressions over the *workflow's*
 * config (`version: "{{ config.k6 }}"`): those are substituted as expressions, not evaluated,
 * so the planner resolves them later against the workflow's run values. Nothing else in the
 * template is evaluated here.
 */
import type { Node } from "../expressions/ast.ts";
import { printNode } from "../expressions/ast.ts";
import { isExpressionError } from "../expressions/errors.ts";
import { type Deferred, simplifyNode } from "../expressions/evaluate.ts";
import { parseExpression } from "../expressions/parse.ts";
import { parseTemplate } from "../expressions/template.ts";
import { toText, type Value } from "../expressions/values.ts";
import type { ConfigSchema } from "../schema/config.ts";
import type { Scalar } from "../schema/primitives.ts";

/** Thrown when a parameter the template needs has neither a value nor a default. */
export class TemplateConfigError extends Error {
  override name = "TemplateConfigError";
}

/** Defers every variable and function: only the substituted literals fold. */
const EVERYTHING: Deferred = {
  variables: { has: () => true } as unknown as ReadonlySet<string>,
  functions: { has: () => true } as unknown as ReadonlySet<string>,
};

/** Keys whose string values are bare expressions rather than `{{ }}` templates. */
const EXPRESSION_KEYS = new Set(["condition", "until"]);

/** Returns `body` (JSON data) with the template's config references replaced. */
export const applyTemplateConfig = (
  body: unknown,
  schema: ConfigSchema | undefined,
  given: Record<string, Scalar> | undefined,
  templateName: string,
): unknown => {
  const values = new Map<string, Node>();
  for (const [name, param] of Object.entries(schema ?? {})) {
    const value = given !== undefined && Object.hasOwn(given, name) ? given[name] : param.default;
    if (value === undefined) continue;
    values.set(name, valueNode(value, param.type));
  }
  for (const name of Object.keys(given ?? {})) {
    if (!values.has(name)) {
      throw new TemplateConfigError(`template ${templateName} has no config parameter ${name}`);
    }
  }
  const substitute = (node: Node): Node => replaceConfig(node, values);
  const walk = (value: unknown, key: string | undefined, parent: string | undefined): unknown => {
    if (typeof value === "string") {
      if (key !== undefined && (EXPRESSION_KEYS.has(key) || parent === "matrix" || parent === "shards")) {
        return rewriteExpression(value, substitute);
      }
      return value.includes("{{") ? rewriteTemplate(value, substitute) : value;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, undefined, key));
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k, key)]));
    }
    return value;
  };
  return walk(body, undefined, undefined);
};

/** A config value as an expression node: literal text, or the `{{ }}` template it holds. */
const valueNode = (value: Scalar, type: string | undefined): Node => {
  if (typeof value !== "string") return { kind: "literal", value, position: 0 };
  if (!value.includes("{{")) {
    const typed: Value =
      (type === "integer" || type === "number") && value.trim() !== "" && Number.isFinite(Number(value))
        ? Number(value)
        : type === "boolean" && (value === "true" || value === "false")
          ? value === "true"
          : value;
    return { kind: "literal", value: typed, position: 0 };
  }
  try {
    const parts = parseTemplate(value).map(
      (part): Node => ("text" in part ? { kind: "literal", value: part.text, position: 0 } : part.node),
    );
    // A lone `{{ expr }}` keeps its type (a list stays a list); otherwise the parts concatenate.
    if (parts.length === 1 && parts[0]?.kind !== "literal") return parts[0] as Node;
    return {
      kind: "call",
      name: "string",
      args: parts.map((node) => ({ node, spread: false })),
      position: 0,
    };
  } catch {
    return { kind: "literal", value, position: 0 };
  }
};

/** Replaces `config.<name>` / `config["<name>"]` reads that the template defines. */
const replaceConfig = (node: Node, values: Map<string, Node>): Node => {
  const again = (n: Node) => replaceConfig(n, values);
  switch (node.kind) {
    case "member":
      if (node.object.kind === "variable" && node.object.name === "config" && values.has(node.property)) {
        return values.get(node.property) as Node;
      }
      return { ...node, object: again(node.object) };
    case "index":
      if (
        node.object.kind === "variable" &&
        node.object.name === "config" &&
        node.index.kind === "literal" &&
        values.has(toText(node.index.value))
      ) {
        return values.get(toText(node.index.value)) as Node;
      }
      return { ...node, object: again(node.object), index: again(node.index) };
    case "call":
      return { ...node, args: node.args.map((a) => ({ ...a, node: again(a.node) })) };
    case "unary":
      return { ...node, operand: again(node.operand) };
    case "binary":
      return { ...node, left: again(node.left), right: again(node.right) };
    case "conditional":
      return {
        ...node,
        test: again(node.test),
        whenTrue: again(node.whenTrue),
        otherwise: again(node.otherwise),
      };
    case "list":
      return { ...node, items: node.items.map(again) };
    case "map":
      return { ...node, entries: node.entries.map(([k, v]) => [again(k), again(v)]) };
    default:
      return node;
  }
};

const fold = (node: Node, source: string): { done: true; value: Value } | { done: false; node: Node } => {
  try {
    return simplifyNode(node, source, { variables: {} }, EVERYTHING);
  } catch (error) {
    // An error that only evaluation shows (a division by zero) is left for the planner to report.
    if (isExpressionError(error)) return { done: false, node };
    throw error;
  }
};

const rewriteTemplate = (text: string, substitute: (node: Node) => Node): string => {
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(text);
  } catch {
    return text; // a syntax error is reported by the planner, with its position
  }
  return parts
    .map((part) => {
      if ("text" in part) return part.text;
      const result = fold(substitute(part.node), text);
      if (!result.done) return `{{ ${printNode(result.node)} }}`;
      const value = toText(result.value);
      return value.includes("{{") ? `{{ ${JSON.stringify(value)} }}` : value;
    })
    .join("");
};

const rewriteExpression = (text: string, substitute: (node: Node) => Node): string => {
  const trimmed = text.trim();
  if (/^(passed|failed|always|never|true|false)$/i.test(trimmed)) return text;
  try {
    const result = fold(substitute(parseExpression(trimmed)), trimmed);
    return result.done
      ? printNode({ kind: "literal", value: result.value, position: 0 })
      : printNode(result.node);
  } catch {
    return text;
  }
};
