import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isValidDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it("reads Go durations into milliseconds", () => {
    const cases: Array<[string, number]> = [
      ["0", 0],
      ["10s", 10_000],
      ["500ms", 500],
      ["1h30m", 5_400_000],
      ["1.5h", 5_400_000],
      ["2m3s4ms", 123_004],
      ["1500us", 2],
      ["1500µs", 2],
      ["250000000ns", 250],
      ["+5s", 5000],
      [" 30s ", 30_000],
      [".5s", 500],
    ];
    for (const [text, ms] of cases) assert.deepEqual(parseDuration(text), { ok: true, ms }, text);
  });

  it("explains what is wrong", () => {
    assert.deepEqual(parseDuration(""), { ok: false, error: "duration is empty" });
    assert.match(errorOf("30"), /missing a unit after 30 \(use ms, s, m or h, e\.g\. "30s"\)/);
    assert.match(errorOf("-5s"), /must not be negative/);
    assert.match(errorOf("1d"), /invalid duration "1d"/);
    assert.match(errorOf("1h 30m"), /invalid duration/);
    assert.match(errorOf("s"), /invalid duration/);
  });

  it("never throws, whatever it is given", () => {
    for (const value of [undefined, null, 5, {}, `${"9".repeat(400)}h`] as unknown[]) {
      assert.equal(typeof parseDuration(value as string).ok, "boolean");
    }
    assert.equal(isValidDuration(`${"9".repeat(400)}h`), false, "overflow is refused");
  });
});

const errorOf = (text: string): string => {
  const result = parseDuration(text);
  assert.equal(result.ok, false, text);
  return result.ok ? "" : result.error;
};
