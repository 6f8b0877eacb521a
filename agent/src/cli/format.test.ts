import assert from "node:assert/strict";
import { test } from "node:test";
import type { StepState } from "@assay/shared";
import { stepTree } from "./format.ts";

const step = (ref: string, over: Partial<StepState>): StepState => ({
  ref,
  name: ref,
  warnings: [],
  status: "passed",
  ...over,
});

test("the step tree names an exit code only when it says something", () => {
  const text = stepTree([
    step("r1", { exitCode: -1 }),
    step("r1.w1", { parentRef: "r1", exitCode: 0 }),
    step("r2", { status: "failed", exitCode: 3, message: "exit code 3" }),
    step("r3", { status: "timeout", exitCode: -1, message: "timed out" }),
  ]);
  const line = (ref: string) => text.split("\n").find((l) => l.includes(` ${ref}  `)) ?? "";
  assert.doesNotMatch(line("r1"), /exit/, "a passed group step has no process of its own");
  assert.doesNotMatch(line("r1.w1"), /exit/);
  assert.match(line("r2"), /exit 3/);
  assert.match(line("r3"), /exit -1/, "a killed step keeps its -1");
});
