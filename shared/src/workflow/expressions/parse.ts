/**
 * Recursive-descent parser of the expression language. Precedence, loosest first: `a ? b : c`,
 * `??`, `||` and `&&` (one level), comparisons (`==` `!=` `<` `<=` `>` `>=`, and Testkube's
 * `=` / `<>`), `+ -`, `* / %`, `**`, unary `!` and `-`, then member access `.x`, indexing `[i]`
 * and calls `fn(a, list...)`. Every binary operator is left-associative and `&&` / `||` share a
 * level, exactly as Testkube's parser reads them (`a || b && c` is `(a || b) && c`, `2 ** 3 ** 2`
 * is 64), so a condition means here what it means there. Nesting is bounded so hostile input
 * cannot exhaust the stack.
 */
import { type Argument, type BinaryOperator, type Node, PRECEDENCE } from "./ast.ts";
import { ExpressionError } from "./errors.ts";
import { type Token, tokenize } from "./tokenize.ts";

/** Longest expression text accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 100_000;
/** Deepest nesting of parentheses, lists, calls and operators accepted. */
export const MAX_NESTING = 128;

const ALIASES: Record<string, BinaryOperator> = { "=": "==", "<>": "!=" };

/** Parses a bare expression (a `condition`, `retry.until`, or the inside of `{{ }}`). */
export const parseExpression = (text: string): Node => {
  checkLength(text);
  const { tokens } = tokenize(text);
  return new Parser(text, tokens).parseAll();
};

/**
 * Parses the expression that starts at `start` inside a template (just after `{{`); returns
 * the tree and the offset of the closing `}}`.
 */
export const parseTemplateExpression = (text: string, start: number): { node: Node; end: number } => {
  checkLength(text);
  const { tokens, end } = tokenize(text, start, true);
  return { node: new Parser(text, tokens).parseAll(), end };
};

const checkLength = (text: string) => {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
      text.slice(0, 200),
      0,
    );
  }
};

class Parser {
  private at = 0;
  private depth = 0;
  private readonly text: string;
  private readonly tokens: Token[];

  constructor(text: string, tokens: Token[]) {
    this.text = text;
    this.tokens = tokens;
  }

  parseAll(): Node {
    const first = this.peek();
    if (first.kind === "end") return { kind: "literal", value: null, position: first.position };
    const node = this.parseConditional();
    const next = this.peek();
    if (next.kind !== "end")
      this.fail(`unexpected ${describeToken(next)} after the end of the expression`, next);
    return node;
  }

  private parseConditional(): Node {
    this.enter();
    const test = this.parseBinary(1);
    let node = test;
    if (this.isOperator("?")) {
      this.next();
      const whenTrue = this.parseConditional();
      this.expectOperator(":", "expected : of the ternary operator");
      const otherwise = this.parseConditional();
      node = { kind: "conditional", test, whenTrue, otherwise, position: test.position };
    }
    this.depth--;
    return node;
  }

  /** Precedence climbing over the binary operators at `minimum` strength or tighter. */
  private parseBinary(minimum: number): Node {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== "operator") return left;
      const operator = (ALIASES[token.value as string] ?? token.value) as BinaryOperator;
      const precedence = PRECEDENCE[operator];
      if (precedence === undefined || precedence < minimum) return left;
      this.next();
      this.enter();
      // Left-associative throughout, `**` included, as in Testkube.
      const right = this.parseBinary(precedence + 1);
      this.depth--;
      left = { kind: "binary", operator, left, right, position: left.position };
    }
  }

  private parseUnary(): Node {
    const token = this.peek();
    if (token.kind === "operator" && (token.value === "!" || token.value === "-")) {
      this.next();
      this.enter();
      const operand = this.parseUnary();
      this.depth--;
      if (token.value === "-" && operand.kind === "literal" && typeof operand.value === "number") {
        return { kind: "literal", value: -operand.value, position: token.position };
      }
      return { kind: "unary", operator: token.value, operand, position: token.position };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      const token = this.peek();
      if (token.kind === "punct" && token.value === ".") {
        this.next();
        const name = this.next();
        if (name.kind !== "identifier" && name.kind !== "number")
          this.fail("expected a property name after .", name);
        node = { kind: "member", object: node, property: String(name.value), position: node.position };
      } else if (token.kind === "punct" && token.value === "[") {
        this.next();
        this.enter();
        const index = this.parseConditional();
        this.depth--;
        this.expectPunct("]", "expected ] after the index");
        node = { kind: "index", object: node, index, position: node.position };
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): Node {
    const token = this.next();
    const position = token.position;
    switch (token.kind) {
      case "number":
        return { kind: "literal", value: token.value as number, position };
      case "string":
        return { kind: "literal", value: token.value as string, position };
      case "identifier": {
        const name = token.value as string;
        if (name === "true" || name === "false") return { kind: "literal", value: name === "true", position };
        if (name === "null" || name === "none") return { kind: "literal", value: null, position };
        const after = this.peek();
        if (after.kind === "punct" && after.value === "(") return this.parseCall(name, position);
        return { kind: "variable", name, position };
      }
      case "punct":
        if (token.value === "(") {
          this.enter();
          const inner = this.parseConditional();
          this.depth--;
          this.expectPunct(")", "expected ) to close the parenthesis");
          return inner;
        }
        if (token.value === "[") return this.parseList(position);
        if (token.value === "{") return this.parseMap(position);
        break;
      default:
        break;
    }
    return this.fail(`unexpected ${describeToken(token)}`, token);
  }

  private parseCall(name: string, position: number): Node {
    this.next();
    this.enter();
    const args: Argument[] = [];
    while (!this.isPunct(")")) {
      if (args.length > 0) this.expectPunct(",", "expected , or ) in the call");
      const node = this.parseConditional();
      const spread = this.isOperator("...");
      if (spread) this.next();
      args.push({ node, spread });
    }
    this.next();
    this.depth--;
    return { kind: "call", name, args, position };
  }

  private parseList(position: number): Node {
    this.enter();
    const items: Node[] = [];
    while (!this.isPunct("]")) {
      if (items.length > 0) this.expectPunct(",", "expected , or ] in the list");
      if (this.isPunct("]")) break; // a trailing comma, as YAML flow lists allow
      items.push(this.parseConditional());
    }
    this.next();
    this.depth--;
    return { kind: "list", items, position };
  }

  private parseMap(position: number): Node {
    this.enter();
    const entries: Array<[Node, Node]> = [];
    while (!this.isPunct("}")) {
      if (entries.length > 0) this.expectPunct(",", "expected , or } in the map");
      if (this.isPunct("}")) break;
      const keyToken = this.peek();
      // Bare identifiers are keys (`{a: 1}`); anything else is an expression yielding the key.
      const bare =
        keyToken.kind === "identifier" && this.peekAt(1).kind === "operator" && this.peekAt(1).value === ":";
      let key: Node;
      if (bare) {
        this.next();
        key = { kind: "literal", value: keyToken.value as string, position: keyToken.position };
      } else {
        key = this.parseBinary(1);
      }
      this.expectOperator(":", "expected : after the map key");
      entries.push([key, this.parseConditional()]);
    }
    this.next();
    this.depth--;
    return { kind: "map", entries, position };
  }

  private enter() {
    if (++this.depth > MAX_NESTING)
      this.fail(`expression nests deeper than ${MAX_NESTING} levels`, this.peek());
  }

  private peek(): Token {
    return this.peekAt(0);
  }

  private peekAt(offset: number): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.at < this.tokens.length - 1) this.at++;
    return token;
  }

  private isPunct(value: string): boolean {
    const token = this.peek();
    if (token.kind === "end") this.fail(`premature end of the expression: expected ${value}`, token);
    return token.kind === "punct" && token.value === value;
  }

  private isOperator(value: string): boolean {
    const token = this.peek();
    return token.kind === "operator" && token.value === value;
  }

  private expectPunct(value: string, message: string) {
    const token = this.next();
    if (token.kind !== "punct" || token.value !== value)
      this.fail(`${message}, found ${describeToken(token)}`, token);
  }

  private expectOperator(value: string, message: string) {
    const token = this.next();
    if (token.kind !== "operator" || token.value !== value)
      this.fail(`${message}, found ${describeToken(token)}`, token);
  }

  private fail(message: string, token: Token): never {
    throw new ExpressionError(message, this.text, token.position);
  }
}

const describeToken = (token: Token): string => {
  switch (token.kind) {
    case "end":
      return "end of expression";
    case "string":
      return `string ${JSON.stringify(token.value)}`;
    case "number":
      return `number ${token.value}`;
    case "identifier":
      return `name ${token.value}`;
    default:
      return `"${token.value}"`;
  }
};
