/**
 * Fuzzing the expression language: whatever the text, parsing and evaluating either succeeds or
 * throws an ExpressionError (never a TypeError, a RangeError from a blown stack, or a hang), and
 * printing a parsed expression gives text that evaluates to the same value.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type ExpressionContext,
  evaluateExpression,
  evaluateTemplate,
  fromJs,
  isExpressionError,
  parseExpression,
  printNode,
  simplifyExpression,
  simplifyTemplate,
} from "./index.ts";

const context: ExpressionContext = {
  variables: {
    config: fromJs({ a: "1", b: 2, list: [1, "x", { k: true }], s: "{{ x }}" }),
    env: fromJs({ HOME: "/h" }),
    execution: fromJs({ id: "e", tags: { t: "1" } }),
    passed: true,
    failed: false,
    index: 0,
  },
  now: () => 0,
};
const deferred = { variables: new Set(["matrix", "self", "shard"]), functions: new Set(["file", "glob"]) };

const expectOnlyExpressionErrors = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (!isExpressionError(error)) throw error;
  }
};

const atoms = [
  "1",
  "2.5",
  "-3",
  "'s'",
  '"t"',
  "true",
  "false",
  "null",
  "config.a",
  "config.b",
  "config.list",
  "config.s",
  "env.HOME",
  "execution.tags",
  "passed",
  "failed",
  "index",
  "matrix.x",
  "self.passed",
  "nope",
  "[1, 2]",
  "{a: 1}",
  "range(3)",
  "file('x')",
];
const operators = ["+", "-", "*", "/", "%", "**", "==", "!=", "<", ">=", "&&", "||", "??", "=", "<>"];
const functions = [
  "string",
  "list",
  "join",
  "split",
  "int",
  "float",
  "bool",
  "json",
  "tojson",
  "yaml",
  "toyaml",
  "shellquote",
  "shellparse",
  "trim",
  "len",
  "floor",
  "ceil",
  "round",
  "chunk",
  "at",
  "map",
  "filter",
  "entries",
  "eval",
  "range",
  "date",
  "default",
  "lower",
  "upper",
  "contains",
  "abspath",
  "relpath",
  "unknownfn",
];

/** Syntactically plausible expressions, to get past the parser often. */
const expression: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...atoms),
    fc.tuple(tie("expr"), fc.constantFrom(...operators), tie("expr")).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc.tuple(fc.constantFrom("!", "-", ""), tie("expr")).map(([op, e]) => `${op}(${e})`),
    fc.tuple(tie("expr"), tie("expr"), tie("expr")).map(([a, b, c]) => `${a} ? ${b} : ${c}`),
    fc
      .tuple(fc.constantFrom(...functions), fc.array(tie("expr"), { maxLength: 3 }))
      .map(([f, args]) => `${f}(${args.join(", ")})`),
    fc
      .tuple(tie("expr"), fc.constantFrom(".a", "[0]", "[1]", ".t", "['k']", ".0", ".1.k", " . 2"))
      .map(([e, p]) => `(${e})${p}`),
    // `.N` straight after a call or a name: a list position, as Testkube reads it.
    fc
      .tuple(
        fc.constantFrom("config.list", "range(3)", "split('a.b', '.')"),
        fc.constantFrom(".0", ".1", ".2.k"),
      )
      .map(([e, p]) => `${e}${p}`),
    fc.array(tie("expr"), { maxLength: 3 }).map((items) => `[${items.join(", ")}]`),
  ),
})).expr as fc.Arbitrary<string>;

describe("expressions: fuzzing", () => {
  it("random text never throws anything but ExpressionError", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expectOnlyExpressionErrors(() => evaluateExpression(text, context));
        expectOnlyExpressionErrors(() => evaluateTemplate(text, context));
        expectOnlyExpressionErrors(() => simplifyTemplate(`{{ ${text} }}`, context, deferred));
      }),
      { numRuns: 2000 },
    );
  });

  it("structured expressions never throw anything but ExpressionError", () => {
    fc.assert(
      fc.property(expression, (text) => {
        expectOnlyExpressionErrors(() => evaluateExpression(text, context));
        expectOnlyExpressionErrors(() => simplifyExpression(text, context, deferred, true));
      }),
      { numRuns: 3000 },
    );
  });

  it("printing a parsed expression preserves its value", () => {
    fc.assert(
      fc.property(expression, (text) => {
        let value: unknown;
        try {
          value = evaluateExpression(text, context);
        } catch (error) {
          if (isExpressionError(error)) return;
          throw error;
        }
        const printed = printNode(parseExpression(text));
        const again = evaluateExpression(printed, context);
        if (typeof value === "number" && Number.isNaN(value)) assert.ok(Number.isNaN(again));
        else assert.deepEqual(again, value, `${text} -> ${printed}`);
      }),
      { numRuns: 2000 },
    );
  });

  it("hostile inputs end quickly with an ExpressionError", () => {
    const hostile = [
      "(".repeat(100_000),
      "[".repeat(5000),
      "!".repeat(100_000),
      `${"-".repeat(100_000)}1`,
      `${"1+".repeat(20_000)}1`,
      "map(range(100000), 'map(range(100000), \"_.value\")')",
      "eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval(eval('1')))))))))))))))))",
      "range(1000000000)",
      "join(map(range(100000), 'tojson(range(1000))'))",
      `'${"x".repeat(200_000)}'`,
    ];
    for (const text of hostile) expectOnlyExpressionErrors(() => evaluateExpression(text, context));
  });
});
