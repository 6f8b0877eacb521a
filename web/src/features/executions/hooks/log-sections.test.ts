import assert from "node:assert/strict";
import { test } from "node:test";
import type { StepState } from "@assay/shared";
import { layoutLog } from "./log-sections.ts";

const step = (ref: string, name: string, parentRef?: string): StepState => ({
  ref,
  name,
  status: "passed",
  warnings: [],
  ...(parentRef ? { parentRef } : {}),
});

// A setup line, step r1, then a parallel step r2 whose two workers interleave, then r3.
const steps = [
  step("r1", "Build"),
  step("r2", "Browsers"),
  step("r2.w1", "chrome", "r2"),
  step("r2.w2", "firefox", "r2"),
  step("r3", "Report"),
];
const lines = ["", "r1", "r1", "r2", "r2.w1", "r2.w2", "r2.w1", "r3"];
const lineSteps = (i: number) => lines[i] ?? "";

test("all steps: one header per top-level step, worker lines prefixed with the worker", () => {
  const { rows, prefixes } = layoutLog({ lineSteps, count: lines.length, steps, collapsed: new Set() });
  assert.deepEqual(rows, [0, { header: "r1" }, 1, 2, { header: "r2" }, 3, 4, 5, 6, { header: "r3" }, 7]);
  assert.deepEqual(
    [...prefixes],
    [
      [4, "chrome"],
      [5, "firefox"],
      [6, "chrome"],
    ],
  );
});

test("a collapsed section keeps its header and hides its lines", () => {
  const { rows } = layoutLog({ lineSteps, count: lines.length, steps, collapsed: new Set(["r2"]) });
  assert.deepEqual(rows, [0, { header: "r1" }, 1, 2, { header: "r2" }, { header: "r3" }, 7]);
});

test("one step chosen: its subtree without headers, children still prefixed", () => {
  const only = new Set(["r2", "r2.w1", "r2.w2"]);
  const { rows, prefixes } = layoutLog({ lineSteps, count: lines.length, steps, only, collapsed: new Set() });
  assert.deepEqual(rows, [3, 4, 5, 6]);
  assert.deepEqual([...prefixes.keys()], [4, 5, 6]);
  const worker = layoutLog({
    lineSteps,
    count: lines.length,
    steps,
    only: new Set(["r2.w1"]),
    collapsed: new Set(),
  });
  assert.deepEqual(worker.rows, [4, 6]);
  assert.equal(worker.prefixes.size, 0, "the chosen worker's own lines need no prefix");
});
