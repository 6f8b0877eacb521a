import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyNegative,
  exitOutcome,
  failsGroup,
  failsWorkers,
  groupOutcome,
  type Outcome,
} from "./outcome-rules.ts";
import type { StepFinalStatus } from "./types.ts";

describe("outcome rules", () => {
  it("a child fails its group unless it passed, was skipped or is optional; aborted workers do not fail the fan-out", () => {
    const table: Array<[StepFinalStatus, boolean, boolean, boolean]> = [
      // status, optional, fails the group, fails the workers
      ["passed", false, false, false],
      ["skipped", false, false, false],
      ["failed", false, true, true],
      ["timeout", false, true, true],
      ["aborted", false, true, false],
      ["failed", true, false, false],
      ["timeout", true, false, false],
    ];
    for (const [status, optional, group, workers] of table) {
      assert.equal(failsGroup(status, optional), group, `${status} optional=${optional}`);
      assert.equal(failsWorkers(status, optional), workers, `${status} optional=${optional} (workers)`);
    }
  });

  it("a group's outcome: timeout, then abort, then failure, then passed; a leaf keeps its own", () => {
    const base = { hasChildren: true, timedOut: false, childAborted: false, childFailed: false };
    const table: Array<[Partial<typeof base> & { own?: Outcome; abortReason?: string }, string, string?]> = [
      [{}, "passed"],
      [{ childFailed: true }, "failed", "a step inside failed"],
      [{ childAborted: true, childFailed: true, abortReason: "user" }, "aborted", "aborted: user"],
      [{ childAborted: true }, "aborted", "aborted: cancelled"],
      [{ timedOut: true, childAborted: true, childFailed: true }, "timeout", "timed out"],
      [{ hasChildren: false, own: { status: "failed", message: "exit code 2" } }, "failed", "exit code 2"],
      [{ hasChildren: false }, "passed"],
    ];
    for (const [facts, status, message] of table) {
      const outcome = groupOutcome({ ...base, ...facts });
      assert.equal(outcome.status, status, JSON.stringify(facts));
      assert.equal(outcome.message, message, JSON.stringify(facts));
    }
  });

  it("negative swaps passed and failed only", () => {
    const table: Array<[StepFinalStatus, boolean, StepFinalStatus]> = [
      ["passed", true, "failed"],
      ["failed", true, "passed"],
      ["timeout", true, "timeout"],
      ["aborted", true, "aborted"],
      ["passed", false, "passed"],
      ["failed", false, "failed"],
    ];
    for (const [status, negative, expected] of table) {
      assert.equal(applyNegative({ status }, negative).status, expected, `${status} negative=${negative}`);
    }
  });

  it("a unit's end becomes the step's outcome", () => {
    const cancelled: Outcome = { status: "aborted", message: "cancelled: worker failed" };
    const table: Array<[Parameters<typeof exitOutcome>[0], StepFinalStatus, number, string?]> = [
      [{ exitCode: 0 }, "passed", 0],
      [{ exitCode: 3 }, "failed", 3, "exit code 3"],
      [{ exitCode: -1, signal: "SIGSEGV" }, "failed", -1, "killed by SIGSEGV"],
      [{ exitCode: 137, reason: "OOMKilled" }, "failed", 137, "OOMKilled (exit code 137)"],
      [{ exitCode: -1, startError: "no such image" }, "failed", -1, "no such image"],
      [{ exitCode: 143, killedBy: "timeout" }, "timeout", -1, "timed out"],
      [{ exitCode: 143, killedBy: "abort" }, "aborted", -1, "aborted: stop"],
      [{ exitCode: 143, killedBy: "cancel" }, "aborted", -1, "cancelled: worker failed"],
    ];
    for (const [end, status, exitCode, message] of table) {
      const outcome = exitOutcome(end, cancelled, "stop");
      assert.deepEqual(
        [outcome.status, outcome.exitCode, outcome.message],
        [status, exitCode, message],
        JSON.stringify(end),
      );
    }
  });
});
