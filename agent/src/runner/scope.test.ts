import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { createPauseGate } from "./pause-gate.ts";
import { createScope } from "./scope.ts";

describe("scope timeouts and pauses", () => {
  const setup = () => {
    mock.timers.enable({ apis: ["setTimeout", "Date"] });
    return createPauseGate({ units: new Set(), onChange: () => {} });
  };

  test("a step's timeout does not count the time paused", (t) => {
    t.after(() => mock.timers.reset());
    const gate = setup();
    const root = createScope(undefined, undefined, gate, true);
    const step = root.child(1_000);
    mock.timers.tick(600);
    gate.pause("user");
    mock.timers.tick(5_000);
    assert.equal(step.ended(), undefined, "paused time counted");
    gate.resume("user");
    mock.timers.tick(399);
    assert.equal(step.ended(), undefined);
    mock.timers.tick(1);
    assert.deepEqual(step.ended(), { kind: "timeout" });
    root.close();
  });

  test("a step opened while paused starts counting when resumed; pausing twice holds once", (t) => {
    t.after(() => mock.timers.reset());
    const gate = setup();
    gate.pause("step");
    const step = createScope(undefined, undefined, gate).child(500);
    mock.timers.tick(10_000);
    assert.equal(step.ended(), undefined);
    gate.resume("user");
    mock.timers.tick(200);
    gate.pause("again");
    gate.pause("again");
    mock.timers.tick(10_000);
    gate.resume("user");
    mock.timers.tick(299);
    assert.equal(step.ended(), undefined);
    mock.timers.tick(1);
    assert.equal(step.timedOut(), true);
  });

  test("the run's deadline (root, wall clock) counts paused time; a closed scope never fires", (t) => {
    t.after(() => mock.timers.reset());
    const gate = setup();
    const root = createScope(1_000, undefined, gate, true);
    const closed = root.child(100);
    closed.close();
    gate.pause("user");
    mock.timers.tick(1_000);
    assert.equal(root.timedOut(), true);
    assert.equal(closed.ended()?.kind, "timeout", "ends with its ancestor only");
    root.close();
  });
});
