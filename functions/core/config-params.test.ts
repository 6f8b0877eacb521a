/**
 * Config values are checked against user-written patterns on a linear-time engine: a
 * catastrophic pattern on a long near-match answers at once instead of stalling the process
 * (V8's backtracking engine needs hours for the 64-character case), and patterns the engine
 * cannot run are refused with a reason naming the parameter.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Worker } from "node:worker_threads";
import { AppError } from "@assay/shared";
import { resolveConfig } from "./config-params.ts";
import { configPatternIssues, matchPattern } from "./linear-pattern.ts";

const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "invalid_argument");
    return (error.issues ?? []).map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail("expected a refusal");
};

describe("config patterns", () => {
  // Runs in a worker so a backtracking engine (hours for 64 characters) fails the test
  // instead of freezing the runner; the generous bound only tells "answers" from "never".
  test("a nested quantifier on a near-match is refused, not run for hours", async () => {
    const worker = new Worker(new URL("./config-params.worker-check.ts", import.meta.url));
    const answer = new Promise<string[][]>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    const never = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new Error("the pattern check never answered")), 60_000);
      answer.finally(() => clearTimeout(timer)).catch(() => {});
    });
    try {
      const results = await Promise.race([answer, never]);
      const refused = ["config.x: must match the pattern ^(a+)+$"];
      assert.deepEqual(results, [refused, refused, refused, ["accepted"]]);
    } finally {
      await worker.terminate();
    }
  });

  test("JavaScript syntax the engine shares still matches as written", () => {
    assert.deepEqual(matchPattern("^\\d{3}-[a-z]+$", "123-abc"), { ok: true, matches: true });
    assert.deepEqual(matchPattern("^\\u00e9t\\u00e9$", "été"), { ok: true, matches: true });
    assert.deepEqual(matchPattern("^[a-z]+$", "ABC"), { ok: true, matches: false });
    assert.deepEqual(matchPattern("", "anything"), { ok: true, matches: true });
  });

  test("backreferences, lookaround and overlong patterns are refused with a reason", () => {
    const issues = configPatternIssues({
      plain: { pattern: "^[a-z]+$" },
      back: { pattern: "^(a)\\1$" },
      ahead: { pattern: "^(?=a)a+$" },
      long: { pattern: "a".repeat(1001) },
      none: { type: "string" },
    });
    assert.deepEqual(
      issues.map((i) => i.path),
      ["spec.config.back.pattern", "spec.config.ahead.pattern", "spec.config.long.pattern"],
    );
    assert.match(issues[1]?.message ?? "", /not a supported regular expression.*\(\?=/);
    assert.match(issues[2]?.message ?? "", /longer than 1000 characters/);
    const atRun = issuesOf(() => resolveConfig({ x: { pattern: "(?<=a)b" } }, { x: "b" }));
    assert.match(atRun[0] ?? "", /^config\.x: has an invalid pattern in the workflow/);
  });
});
