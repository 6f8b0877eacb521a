import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createManualClock } from "@assay/shared/time";
import { createPauseGate } from "./pause-gate.ts";
import { createScope } from "./scope.ts";

describe("scope timeouts and pauses", () => {
  const setup = () => ({
    clock: createManualClock(1_000),
    gate: createPauseGate({ units: new Set(), onChange: () => {} }),
  });

  test("a step's timeout does not count the time paused", () => {
    const { clock, gate } = setup();
    const root = createScope(clock, undefined, undefined, gate, true);
    const step = root.child(1_000);
    clock.advance(600);
    gate.pause("user");
    clock.advance(5_000);
    assert.equal(step.ended(), undefined, "paused time counted");
    gate.resume("user");
    clock.advance(399);
    assert.equal(step.ended(), undefined);
    clock.advance(1);
    assert.deepEqual(step.ended(), { kind: "timeout" });
    root.close();
  });

  test("a step opened while paused starts counting when resumed; pausing twice holds once", () => {
    const { clock, gate } = setup();
    gate.pause("step");
    const step = createScope(clock, undefined, undefined, gate).child(500);
    clock.advance(10_000);
    assert.equal(step.ended(), undefined);
    gate.resume("user");
    clock.advance(200);
    gate.pause("again");
    gate.pause("again");
    clock.advance(10_000);
    gate.resume("user");
    clock.advance(299);
    assert.equal(step.ended(), undefined);
    clock.advance(1);
    assert.equal(step.timedOut(), true);
  });

  test("the run's deadline (root, wall clock) counts paused time; a closed scope never fires", () => {
    const { clock, gate } = setup();
    const root = createScope(clock, 1_000, undefined, gate, true);
    const closed = root.child(100);
    closed.close();
    gate.pause("user");
    clock.advance(1_000);
    assert.equal(root.timedOut(), true);
    assert.equal(closed.ended()?.kind, "timeout", "ends with its ancestor only");
    root.close();
  });
});
