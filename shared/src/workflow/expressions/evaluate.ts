/**
 * Evaluation, full or partial. Full evaluation (`evaluateNode`) needs every variable it reads;
 * partial evaluation (`simplifyNode`) leaves the parts that read a *deferred* variable or
 * function (`passed`, `matrix`, `file()`...) as a smaller tree for the runner to finish,
 * folding everything else: that is how the control plane resolves `config.x` at plan time
 * while `passed && config.enabled` reaches the runner as `passed`.
 *
 * Safety: no `eval`, no host objects (maps have no prototype, lookups are own-key only), a
 * budget of evaluation steps and nested evaluations, and a cap on produced text, so neither
 * hostile expressions nor `map`/`eval` tricks can hang or exhaust memory.
 */
import type { Argument, Node } from "./ast.ts";
import { ExpressionError } from "./errors.ts";
import {
  type ExpressionFunction,
  type FunctionCall,
  STANDARD_FUNCTIONS,
  UNAVAILABLE_FUNCTIONS,
} from "./functions.ts";
import { parseExpression } from "./parse.ts";
import {
  createMap,
  describe,
  getKey,
  isMap,
  toBool,
  toInteger,
  toNumber,
  toText,
  type Value,
} from "./values.ts";

/** Variables and functions an expression can use. */
export interface ExpressionContext {
  /**
   * Values by root name. Testkube's names: `config`, `env`, `execution` (`id`, `name`,
   * `number`, `tags`...), `workflow` (`name`, `labels`), `labels`, `organization`,
   * `environment`, `dashboard`, `index`, `count`, `matrix`, `shard`,
   * `passed`, `failed`, `status`, `self` (`passed`, `failed`, `status`), `always`, `never`.
   */
  variables: Record<string, Value>;
  /** Extra functions (the agent adds `file`, `glob`); they win over standard ones. */
  functions?: Record<string, ExpressionFunction>;
  /** Roots whose missing members are errors rather than none (default: `config`). */
  strictRoots?: readonly string[];
  /** Clock for `date()`, epoch milliseconds. */
  now?: () => number;
  /** Base of relative paths in `abspath`/`relpath`; "/" by default. */
  workingDir?: string;
}

/** Testkube's roots that mean nothing in Assay, with why (an error names them instead of "unknown"). */
const UNAVAILABLE: Record<string, string> = {
  resource:
    "it names the Kubernetes resources (jobs, pods) Testkube creates for a run; an Assay run has none",
  pvcs: "it names Kubernetes persistent volume claims; an Assay run has none",
  internal: "it holds Testkube's own cluster and agent settings, which an Assay run has no counterpart of",
};

/** Variable roots and functions that partial evaluation leaves for later. */
export interface Deferred {
  variables: ReadonlySet<string>;
  functions: ReadonlySet<string>;
}

/** Outcome of partial evaluation: a value, or the remaining tree. */
export type Partial = { done: true; value: Value } | { done: false; node: Node };

/** Steps (node visits) one top-level evaluation may take. */
export const MAX_STEPS = 1_000_000;
/** Longest text an expression may produce, in characters. */
export const MAX_TEXT = 4 * 1024 * 1024;
/** Deepest nesting of `eval`/`map`/`filter` evaluations. */
const MAX_NESTED = 16;

/** Evaluates `node` parsed from `source`; every variable it reads must be known. */
export const evaluateNode = (node: Node, source: string, context: ExpressionContext): Value => {
  const result = new Evaluator(source, context, undefined, { steps: 0 }, 0).run(node, false);
  if (!result.done)
    throw new ExpressionError("expression could not be fully evaluated", source, node.position);
  return result.value;
};

/**
 * Folds what `context` knows; parts reading a deferred root or function remain. With
 * `truthOnly` (conditions), `x && true` becomes `x` and `x || true` becomes `true`.
 */
export const simplifyNode = (
  node: Node,
  source: string,
  context: ExpressionContext,
  deferred: Deferred,
  truthOnly = false,
): Partial => new Evaluator(source, context, deferred, { steps: 0 }, 0).run(node, truthOnly);

const lit = (value: Value, position: number): Node => ({ kind: "literal", value, position });
const done = (value: Value): Partial => ({ done: true, value });
const nodeOf = (p: Partial, position: number): Node => (p.done ? lit(p.value, position) : p.node);

class Evaluator {
  private readonly strict: ReadonlySet<string>;
  private readonly source: string;
  private readonly context: ExpressionContext;
  private readonly deferred: Deferred | undefined;
  private readonly budget: { steps: number };
  private readonly nesting: number;

  constructor(
    source: string,
    context: ExpressionContext,
    deferred: Deferred | undefined,
    budget: { steps: number },
    nesting: number,
  ) {
    this.source = source;
    this.context = context;
    this.deferred = deferred;
    this.budget = budget;
    this.nesting = nesting;
    this.strict = new Set(context.strictRoots ?? ["config"]);
  }

  run(node: Node, truthOnly: boolean): Partial {
    try {
      return this.visit(node, truthOnly);
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      // A conversion or function error without a position: point at the whole expression.
      throw new ExpressionError((error as Error).message ?? String(error), this.source, node.position);
    }
  }

  private fail(message: string, node: Node): never {
    throw new ExpressionError(message, this.source, node.position);
  }

  private guard<T>(node: Node, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        this.fail("expression is too deeply nested to evaluate", node);
      }
      return this.fail((error as Error).message || String(error), node);
    }
  }

  private text(value: Value, node: Node): string {
    const text = this.guard(node, () => toText(value));
    if (text.length > MAX_TEXT) this.fail(`expression produces more than ${MAX_TEXT} characters`, node);
    return text;
  }

  private charge(steps: number, node: Node) {
    this.budget.steps += steps;
    if (this.budget.steps > MAX_STEPS) this.fail("expression takes too many steps to evaluate", node);
  }

  private visit(node: Node, truthOnly: boolean): Partial {
    this.charge(1, node);
    switch (node.kind) {
      case "literal":
        return done(node.value);
      case "variable":
        return this.variable(node);
      case "member":
      case "index":
        return this.access(node);
      case "call":
        return this.call(node);
      case "unary":
        return this.unary(node, truthOnly);
      case "binary":
        return this.binary(node, truthOnly);
      case "conditional": {
        const test = this.visit(node.test, true);
        if (test.done) return this.visit(toBool(test.value) ? node.whenTrue : node.otherwise, truthOnly);
        const whenTrue = this.visit(node.whenTrue, truthOnly);
        const otherwise = this.visit(node.otherwise, truthOnly);
        return {
          done: false,
          node: {
            ...node,
            test: test.node,
            whenTrue: nodeOf(whenTrue, node.position),
            otherwise: nodeOf(otherwise, node.position),
          },
        };
      }
      case "list": {
        const items = node.items.map((item) => this.visit(item, false));
        if (items.every((i) => i.done)) return done(items.map((i) => (i as { value: Value }).value));
        return {
          done: false,
          node: { ...node, items: items.map((i, n) => nodeOf(i, node.items[n]?.position ?? 0)) },
        };
      }
      case "map": {
        const entries = node.entries.map(([k, v]) => [this.visit(k, false), this.visit(v, false)] as const);
        if (entries.every(([k, v]) => k.done && v.done)) {
          return done(
            createMap(
              entries.map(([k, v]) => [
                this.text((k as { value: Value }).value, node),
                (v as { value: Value }).value,
              ]),
            ),
          );
        }
        return {
          done: false,
          node: {
            ...node,
            entries: entries.map(([k, v]) => [nodeOf(k, node.position), nodeOf(v, node.position)]),
          },
        };
      }
    }
  }

  private variable(node: Extract<Node, { kind: "variable" }>): Partial {
    const { variables } = this.context;
    if (Object.hasOwn(variables, node.name)) return done(variables[node.name] as Value);
    if (this.deferred?.variables.has(node.name)) return { done: false, node };
    if (node.name === "always") return done(true);
    if (node.name === "never") return done(false);
    const unavailable = Object.hasOwn(UNAVAILABLE, node.name) ? UNAVAILABLE[node.name] : undefined;
    if (unavailable !== undefined)
      return this.fail(`variable ${node.name} is not available: ${unavailable}`, node);
    return this.fail(`unknown variable ${node.name}`, node);
  }

  private access(node: Extract<Node, { kind: "member" | "index" }>): Partial {
    const object = this.visit(node.object, false);
    const key = node.kind === "member" ? done(node.property) : this.visit(node.index, false);
    if (!object.done || !key.done) {
      const rest: Node =
        node.kind === "member"
          ? { ...node, object: nodeOf(object, node.position) }
          : { ...node, object: nodeOf(object, node.position), index: nodeOf(key, node.position) };
      return { done: false, node: rest };
    }
    const target = object.value;
    const k = key.value;
    if (isMap(target)) {
      const name = this.text(k, node);
      const found = getKey(target, name);
      if (found !== undefined) return done(found);
      const root = node.object.kind === "variable" ? node.object.name : undefined;
      if (root !== undefined && this.strict.has(root)) this.fail(`unknown ${root} parameter ${name}`, node);
      return done(null);
    }
    if (target === null) return done(null);
    if (Array.isArray(target) || typeof target === "string") {
      const index = this.guard(node, () => toInteger(k));
      if (index < 0 || index >= target.length) {
        this.fail(`index ${index} is out of bounds (length ${target.length})`, node);
      }
      return done(target[index] as Value);
    }
    const what = node.kind === "member" ? `property ${node.property}` : `index ${this.text(k, node)}`;
    return this.fail(`cannot read ${what} of ${describe(target)}`, node);
  }

  private call(node: Extract<Node, { kind: "call" }>): Partial {
    const own = this.context.functions?.[node.name];
    const fn =
      own ?? (Object.hasOwn(STANDARD_FUNCTIONS, node.name) ? STANDARD_FUNCTIONS[node.name] : undefined);
    const deferred = own === undefined && this.deferred?.functions.has(node.name);
    if (fn === undefined && !deferred) {
      const reason = Object.hasOwn(UNAVAILABLE_FUNCTIONS, node.name)
        ? UNAVAILABLE_FUNCTIONS[node.name]
        : undefined;
      this.fail(reason ?? `unknown function ${node.name}()`, node);
    }
    const args = node.args.map((a) => this.visit(a.node, false));
    if (deferred || fn === undefined || !args.every((a) => a.done)) {
      const rest: Argument[] = node.args.map((a, i) => ({
        ...a,
        node: nodeOf(args[i] as Partial, a.node.position),
      }));
      return { done: false, node: { ...node, args: rest } };
    }
    const values: Value[] = [];
    node.args.forEach((a, i) => {
      const value = (args[i] as { value: Value }).value;
      if (!a.spread) values.push(value);
      else if (Array.isArray(value)) values.push(...value);
      else if (value !== null) this.fail(`spread (...) needs a list, got ${describe(value)}`, a.node);
    });
    const call: FunctionCall = {
      name: node.name,
      now: this.context.now ?? Date.now,
      workingDir: this.context.workingDir ?? "/",
      evaluate: (text, extra) => this.nested(text, extra, node),
    };
    const result = this.guard(node, () => fn(values, call));
    if (typeof result === "string" && result.length > MAX_TEXT) {
      this.fail(`${node.name}() produces more than ${MAX_TEXT} characters`, node);
    }
    // Big results cost in proportion to their size, so loops over them exhaust the budget.
    this.charge(
      Array.isArray(result) ? result.length : typeof result === "string" ? result.length / 16 : 1,
      node,
    );
    return done(result);
  }

  /** `eval`/`map`/`filter`: a fresh parse sharing this evaluation's step budget. */
  private nested(text: string, extra: Record<string, Value> | undefined, at: Node): Value {
    if (this.nesting >= MAX_NESTED) this.fail(`expressions nest deeper than ${MAX_NESTED} evaluations`, at);
    this.charge(text.length / 16, at);
    const parsed = this.guardNested(text, at, () => parseExpression(text));
    const context = { ...this.context, variables: { ...this.context.variables, ...extra } };
    const inner = new Evaluator(text, context, undefined, this.budget, this.nesting + 1);
    const result = this.guardNested(text, at, () => inner.run(parsed, false));
    if (!result.done) this.fail("nested expression could not be evaluated", at);
    return result.value;
  }

  private guardNested<T>(text: string, at: Node, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ExpressionError && error.expression === text) {
        return this.fail(`in ${JSON.stringify(text)}: ${error.reason}`, at);
      }
      throw error;
    }
  }

  private unary(node: Extract<Node, { kind: "unary" }>, truthOnly: boolean): Partial {
    const operand = this.visit(node.operand, node.operator === "!" || truthOnly);
    if (!operand.done) return { done: false, node: { ...node, operand: operand.node } };
    if (node.operator === "!") return done(!toBool(operand.value));
    return done(-this.guard(node, () => toNumber(operand.value)));
  }

  private binary(node: Extract<Node, { kind: "binary" }>, truthOnly: boolean): Partial {
    const { operator } = node;
    const logical = operator === "&&" || operator === "||";
    const left = this.visit(node.left, logical && truthOnly);
    // Short circuits: the right side is not evaluated (nor need be known).
    if (left.done) {
      if (operator === "&&" && !toBool(left.value)) return left;
      if (operator === "||" && toBool(left.value)) return left;
      if (operator === "??" && left.value !== null) return left;
      if (logical || operator === "??") return this.visit(node.right, truthOnly);
    }
    const right = this.visit(node.right, logical && truthOnly);
    if (!left.done || !right.done) {
      if (truthOnly && logical && right.done) {
        const truthy = toBool(right.value);
        // Only truth matters here: `x && true` is `x`, `x && false` is false, and so on.
        if (operator === "&&") return truthy ? left : done(false);
        return truthy ? done(true) : left;
      }
      return {
        done: false,
        node: { ...node, left: nodeOf(left, node.position), right: nodeOf(right, node.position) },
      };
    }
    return done(this.apply(node, left.value, right.value));
  }

  private apply(node: Node & { operator: string }, a: Value, b: Value): Value {
    switch (node.operator) {
      case "==":
        return this.text(a, node) === this.text(b, node);
      case "!=":
        return this.text(a, node) !== this.text(b, node);
      case "+":
        if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
        if (typeof a === "string" || typeof b === "string") {
          const left = this.text(a, node);
          const right = this.text(b, node);
          if (left.length + right.length > MAX_TEXT)
            this.fail(`expression produces more than ${MAX_TEXT} characters`, node);
          return left + right;
        }
        break;
      default:
        break;
    }
    const x = this.guard(node, () => toNumber(a));
    const y = this.guard(node, () => toNumber(b));
    switch (node.operator) {
      case "<":
        return x < y;
      case "<=":
        return x <= y;
      case ">":
        return x > y;
      case ">=":
        return x >= y;
      case "+":
        return x + y;
      case "-":
        return x - y;
      case "*":
        return x * y;
      case "/":
        if (y === 0) this.fail("cannot divide by zero", node);
        return x / y;
      case "%":
        if (y === 0) this.fail("cannot take a modulo by zero", node);
        return x % y;
      case "**":
        return x ** y;
      default:
        return this.fail(`unknown operator ${node.operator}`, node);
    }
  }
}
