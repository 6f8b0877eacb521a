import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createMap,
  type ExpressionContext,
  ExpressionError,
  evaluateCondition,
  evaluateExpression,
  evaluateTemplate,
  fromJs,
  simplifyExpression,
  simplifyTemplate,
} from "./index.ts";

const context: ExpressionContext = {
  variables: {
    config: fromJs({ workers: 3, name: "demo", force: "false", browsers: ["chrome", "firefox"], empty: "" }),
    env: fromJs({ HOME: "/home/x" }),
    execution: fromJs({ id: "01J", name: "demo-1", number: 1, tags: { team: "qa" } }),
    workflow: fromJs({ name: "demo", labels: { tier: "1" } }),
  },
  now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 60),
};
const ev = (text: string) => evaluateExpression(text, context);
const runtime = {
  variables: new Set(["passed", "failed", "index", "matrix", "self", "status"]),
  functions: new Set(["file", "glob"]),
};

describe("expressions: operators", () => {
  it("computes arithmetic with precedence and associativity", () => {
    assert.equal(ev("1 + 2 * 3"), 7);
    assert.equal(ev("(1 + 2) * 3"), 9);
    assert.equal(ev("2 ** 3 ** 2"), 64, "left to right, as Testkube");
    assert.equal(ev("10 % 4 - -1"), 3);
    assert.equal(ev("7 / 2"), 3.5);
    assert.equal(ev("config.workers * 5"), 15);
  });
  it("compares like Testkube: == on text, < on numbers", () => {
    assert.equal(ev("1 == '1'"), true);
    assert.equal(ev("true == 'true'"), true);
    assert.equal(ev("config.name = 'demo'"), true);
    assert.equal(ev("config.name <> 'demo'"), false);
    assert.equal(ev("'10' > 9"), true);
    assert.equal(ev("config.workers >= 3 && config.workers <= 3"), true);
  });
  it("logical operators return operands and short-circuit", () => {
    assert.equal(ev("'' || 'fallback'"), "fallback");
    assert.equal(ev("'a' && 'b'"), "b");
    assert.equal(ev("false && unknownThing"), false);
    assert.equal(ev("config.force || 'no'"), "no");
    assert.equal(ev("!config.force"), true);
    // Testkube reads && and || at one level, left to right.
    assert.equal(ev("true || false && false"), false);
    assert.equal(ev("false && true || true"), true);
    assert.equal(ev("true || (false && false)"), true);
  });
  it("supports ??, ternary, strings and lists", () => {
    assert.equal(ev("null ?? 'x'"), "x");
    assert.equal(ev("config.empty ?? 'x'"), "");
    assert.equal(ev("config.workers > 1 ? 'many' : 'one'"), "many");
    assert.equal(ev("'v' + config.workers"), "v3");
    assert.deepEqual(ev("[1, 2] + [3]"), [1, 2, 3]);
    assert.equal(ev("config.browsers[1]"), "firefox");
    assert.equal(ev("{a: 1, 'b': [2]}.b[0]"), 2);
    assert.equal(ev("execution.tags.team"), "qa");
    assert.equal(ev("execution.tags.missing"), null);
    assert.equal(ev("workflow.labels['tier']"), "1");
  });
  it("reads properties and list positions after any value, as Testkube's property accessor", () => {
    assert.equal(ev("config.browsers.1"), "firefox");
    assert.equal(ev("at(config, 'browsers').0"), "chrome");
    assert.equal(ev("split('a.b.c', '.').2"), "c");
    assert.equal(ev("(config.browsers).1 + '!'"), "firefox!");
    assert.equal(ev("[[1, 2], [3]].0.1"), 2, ".0.1 is two positions, never the number 0.1");
    assert.equal(ev("{a: [5]}.a.0"), 5);
    assert.equal(ev("1.5 + .5"), 2, "a leading dot is still a number where no value precedes it");
    assert.deepEqual(ev("list(config.browsers...)"), ["chrome", "firefox"], "spread still reads");
    const services = { variables: { services: fromJs({ "db-main": [{ ip: "10.0.0.7" }] }) } };
    assert.equal(evaluateExpression('at(services, "db-main").0.ip', services), "10.0.0.7");
    assert.throws(() => ev("config.browsers.2"), /index 2 is out of bounds \(length 2\)/);
  });
});

describe("expressions: functions", () => {
  it("casts and serialises", () => {
    assert.equal(ev("string(1, 'a', true)"), "1atrue");
    assert.equal(ev("int('42.9')"), 42);
    assert.equal(ev("float('1.5') + 1"), 2.5);
    assert.equal(ev("bool('off')"), false);
    assert.equal(ev("tojson({a: [1, 'x']})"), '{"a":[1,"x"]}');
    assert.deepEqual(ev("json('{\"a\": [1]}').a"), [1]);
    assert.equal(ev("toyaml({a: 1})"), "a: 1\n");
    assert.equal(ev("yaml('a: [1, 2]').a[1]"), 2);
  });
  it("handles text and lists", () => {
    assert.equal(ev("join(config.browsers)"), "chrome,firefox");
    assert.equal(ev("join(config.browsers, ' ')"), "chrome firefox");
    assert.deepEqual(ev("split('a|b', '|')"), ["a", "b"]);
    assert.equal(ev("len(config.browsers) + len('abc') + len({a: 1})"), 6);
    assert.equal(ev("trim('  x ')"), "x");
    assert.equal(ev("upper('a') + lower('B')"), "Ab");
    assert.deepEqual(ev("range(3)"), [0, 1, 2]);
    assert.deepEqual(ev("range(2, 4)"), [2, 3]);
    assert.deepEqual(ev("chunk(range(5), 2)"), [[0, 1], [2, 3], [4]]);
    assert.equal(ev("at(config.browsers, 0)"), "chrome");
    assert.deepEqual(ev("map(range(3), '_.value * 2')"), [0, 2, 4]);
    assert.deepEqual(ev("filter(config.browsers, '_.value != \"chrome\"')"), ["firefox"]);
    assert.deepEqual(ev("entries({a: 1})"), [
      createMap([
        ["key", "a"],
        ["value", 1],
      ]),
    ]);
    assert.equal(ev("eval('1 + config.workers')"), 4);
    assert.equal(ev("string(list(1, range(2)...))"), "1,0,1");
  });
  it("rounds like Go and falls back with default()", () => {
    assert.equal(ev("floor(2.7) + ceil(2.1) + round(2.5) + round(-2.5)"), 2 + 3 + 3 - 3);
    assert.equal(ev("default(config.empty, null, 'x')"), "x");
    assert.equal(ev("default(config.name, 'x')"), "demo");
    assert.equal(ev("contains(config.browsers, 'chrome') && contains('abc', 'b')"), true);
  });
  it("quotes and parses shell words", () => {
    assert.equal(ev("shellquote('a b', \"it's\", 'plain', '')"), "'a b' 'it'\\''s' plain ''");
    assert.deepEqual(ev("shellparse('a \"b c\" \\'d e\\' f\\\\ g')"), ["a", "b c", "d e", "f g"]);
  });
  it("formats dates with Go layouts", () => {
    assert.equal(ev("date()"), "2024-01-02T03:04:05.060Z");
    assert.equal(ev("date('2006/01/02 15:04 Mon Jan')"), "2024/01/02 03:04 Tue Jan");
  });
});

describe("expressions: templates and errors", () => {
  it("renders templates", () => {
    assert.equal(evaluateTemplate("n={{ config.workers }} {{ '{' }}x{{ \"}}\" }}", context), "n=3 {x}}");
    assert.equal(evaluateTemplate("{{ {a: {b: 1}}.a.b }}", context), "1");
    assert.equal(evaluateTemplate("plain", context), "plain");
  });
  it("names the problem, the expression and the position", () => {
    const check = (text: string, reason: RegExp, position: number) => {
      assert.throws(
        () => ev(text),
        (error: unknown) =>
          error instanceof ExpressionError &&
          reason.test(error.reason) &&
          error.position === position &&
          error.message.includes(JSON.stringify(text)),
      );
    };
    check("1 + nope", /unknown variable nope/, 4);
    check("frob(1)", /unknown function frob/, 0);
    check("config.missing", /unknown config parameter missing/, 0);
    check("1 +", /premature|unexpected end/, 3);
    check("1 / 0", /divide by zero/, 0);
    check("'abc", /not closed/, 0);
    check("secret('a', 'b')", /fetches when the run starts/, 0);
    check("int('x')", /cannot convert/, 0);
    assert.throws(() => evaluateTemplate("a {{ 1 + ", context), /not closed/);
  });
  it("evaluates conditions with runtime status", () => {
    const runtimeContext = { variables: { ...context.variables, passed: false, failed: true } };
    assert.equal(evaluateCondition("failed && config.workers > 1", runtimeContext), true);
    assert.equal(evaluateCondition("passed", runtimeContext), false);
    assert.equal(evaluateCondition("always", runtimeContext), true);
  });
});

describe("expressions: partial evaluation", () => {
  it("folds what is known and keeps runtime parts", () => {
    assert.deepEqual(simplifyExpression("passed && config.workers > 1", context, runtime, true), {
      done: false,
      expression: "passed",
    });
    assert.deepEqual(simplifyExpression("passed && config.workers > 5", context, runtime, true), {
      done: true,
      value: false,
    });
    assert.deepEqual(simplifyExpression("matrix.browser + '-' + config.name", context, runtime), {
      done: false,
      expression: '(matrix.browser + "-") + "demo"',
    });
    assert.deepEqual(simplifyExpression("self.passed || failed", context, runtime, true), {
      done: false,
      expression: "self.passed || failed",
    });
  });
  it("keeps runtime expressions of templates and quotes folded {{", () => {
    const ctx = { variables: { ...context.variables, config: fromJs({ a: "A", evil: "{{ env.SECRET }}" }) } };
    assert.deepEqual(simplifyTemplate("x {{ config.a }}-{{ index + 1 }}", ctx, runtime), {
      done: false,
      template: "x A-{{ index + 1 }}",
    });
    const kept = simplifyTemplate("{{ config.evil }} {{ index }}", ctx, runtime);
    assert.deepEqual(kept, { done: false, template: '{{ "{{ env.SECRET }}" }} {{ index }}' });
    if (!kept.done) {
      const rendered = evaluateTemplate(kept.template, { variables: { ...ctx.variables, index: 0 } });
      assert.equal(rendered, "{{ env.SECRET }} 0");
    }
    assert.deepEqual(simplifyTemplate("{{ file('a') }}", ctx, runtime), {
      done: false,
      template: '{{ file("a") }}',
    });
  });
  it("still reports unknown names while simplifying", () => {
    assert.throws(() => simplifyExpression("passed && nope", context, runtime), /unknown variable nope/);
  });
});
