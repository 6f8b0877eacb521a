/**
 * The syntax tree of an expression, and printing it back to text (for expressions the planner
 * leaves for the runner: `passed && config.enabled` with `enabled: true` becomes `passed`).
 */
import { toJson, type Value } from "./values.ts";

/** A node of the tree; `position` is the offset of its first token in the source. */
export type Node =
  | { kind: "literal"; value: Value; position: number }
  | { kind: "variable"; name: string; position: number }
  | { kind: "member"; object: Node; property: string; position: number }
  | { kind: "index"; object: Node; index: Node; position: number }
  | { kind: "call"; name: string; args: Argument[]; position: number }
  | { kind: "unary"; operator: "!" | "-"; operand: Node; position: number }
  | { kind: "binary"; operator: BinaryOperator; left: Node; right: Node; position: number }
  | { kind: "conditional"; test: Node; whenTrue: Node; otherwise: Node; position: number }
  | { kind: "list"; items: Node[]; position: number }
  | { kind: "map"; entries: Array<[Node, Node]>; position: number };

/** A call argument; `spread` passes a list's items as separate arguments (`fn(list...)`). */
export interface Argument {
  node: Node;
  spread: boolean;
}

/** Binary operators; `=` and `<>` are Testkube's aliases of `==` and `!=`. */
export type BinaryOperator =
  | "??"
  | "||"
  | "&&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "**";

/** Binding strength of binary operators (higher binds tighter). */
export const PRECEDENCE: Record<BinaryOperator, number> = {
  "??": 1,
  // One level, left to right, as Testkube parses them: `a || b && c` is `(a || b) && c`.
  "||": 2,
  "&&": 2,
  "==": 4,
  "!=": 4,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
  "**": 7,
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Prints `node` as expression text that parses back to an equivalent tree. */
export const printNode = (node: Node): string => {
  switch (node.kind) {
    case "literal":
      return printLiteral(node.value);
    case "variable":
      return node.name;
    case "member":
      return IDENTIFIER.test(node.property)
        ? `${printTarget(node.object)}.${node.property}`
        : `${printTarget(node.object)}[${JSON.stringify(node.property)}]`;
    case "index":
      return `${printTarget(node.object)}[${printNode(node.index)}]`;
    case "call":
      return `${node.name}(${node.args.map((a) => `${printNode(a.node)}${a.spread ? "..." : ""}`).join(", ")})`;
    case "unary":
      return `${node.operator}${printOperand(node.operand)}`;
    case "binary":
      return `${printOperand(node.left)} ${node.operator} ${printOperand(node.right)}`;
    case "conditional":
      return `${printOperand(node.test)} ? ${printOperand(node.whenTrue)} : ${printOperand(node.otherwise)}`;
    case "list":
      return `[${node.items.map(printNode).join(", ")}]`;
    case "map":
      return `{${node.entries.map(([k, v]) => `${printNode(k)}: ${printNode(v)}`).join(", ")}}`;
  }
};

/** Compound operands are parenthesised: simpler than tracking precedence, and always correct. */
const printOperand = (node: Node): string =>
  node.kind === "binary" ||
  node.kind === "conditional" ||
  node.kind === "unary" ||
  (node.kind === "literal" && typeof node.value === "number" && node.value < 0)
    ? `(${printNode(node)})`
    : printNode(node);

/** The object of `.x` / `[i]`: a number needs parentheses (`(1).a`, not `1.a`). */
const printTarget = (node: Node): string =>
  node.kind === "literal" && typeof node.value === "number" ? `(${printNode(node)})` : printOperand(node);

const printLiteral = (value: Value): string => {
  if (value === null) return "null";
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value)
      ? '(float("inf") - float("inf"))'
      : value > 0
        ? 'float("inf")'
        : 'float("-inf")';
  }
  return toJson(value);
};
