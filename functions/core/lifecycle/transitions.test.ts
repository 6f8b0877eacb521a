/**
 * The lifecycle table's invariants: every hold an execution takes on entering a status is given
 * back on leaving it, and only the transitions the table lists exist.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExecutionStatus, isTerminal } from "@assay/shared";
import { decodeDoorbell, encodeSlotFreed, encodeWorkOffer } from "./subjects.ts";
import { HOLDERS, type LifecycleEvent, TRANSITIONS } from "./transitions.ts";

const holds = (status: string) => ({
  queuePlace: (HOLDERS.queuePlace as readonly string[]).includes(status),
  runSlot: (HOLDERS.runSlot as readonly string[]).includes(status),
});

describe("execution lifecycle table", () => {
  test("no transition leaves a terminal status", () => {
    for (const [event, rule] of Object.entries(TRANSITIONS)) {
      assert.ok(!rule.from.some(isTerminal), `${event} starts from a terminal status`);
    }
  });

  test("each transition takes or gives back exactly the holds its statuses change", () => {
    const terminal = ExecutionStatus.options.find(isTerminal) ?? "passed";
    for (const [event, rule] of Object.entries(TRANSITIONS) as Array<
      [LifecycleEvent, (typeof TRANSITIONS)[LifecycleEvent]]
    >) {
      for (const from of rule.from) {
        const to = rule.to === "final" ? terminal : (rule.to ?? from);
        const before = holds(from);
        const after = holds(to);
        const effects = new Set<string>([...rule.effects, ...rule.admission]);
        assert.equal(
          before.queuePlace && !after.queuePlace,
          effects.has("freeQueuePlace") || effects.has("freeQueuePlaceLater"),
          `${event} from ${from}: queue place given back`,
        );
        assert.equal(
          !before.queuePlace && after.queuePlace,
          effects.has("retakeQueuePlace"),
          `${event} from ${from}: queue place taken back`,
        );
        assert.equal(
          !before.runSlot && after.runSlot,
          effects.has("runSlot"),
          `${event} from ${from}: run slot taken`,
        );
        assert.equal(
          before.runSlot && !after.runSlot,
          effects.has("freeRunSlot") && effects.has("freeGroupSlot"),
          `${event} from ${from}: run and group slots given back`,
        );
      }
    }
  });

  test("every status change is announced to watchers and observers", () => {
    for (const [event, rule] of Object.entries(TRANSITIONS)) {
      if (rule.to === undefined) continue;
      assert.ok(
        rule.effects.includes("announce") || rule.effects.includes("announceLater"),
        `${event} announces its status`,
      );
      assert.ok(rule.effects.includes("observe"), `${event} tells observers`);
    }
  });

  test("the states reachable from queued are exactly the execution statuses", () => {
    const seen = new Set<string>(["queued"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const rule of Object.values(TRANSITIONS)) {
        if (!rule.from.some((s) => seen.has(s)) || rule.to === undefined) continue;
        const targets = rule.to === "final" ? ["passed", "failed", "aborted", "timeout"] : [rule.to];
        for (const t of targets) {
          if (seen.has(t)) continue;
          seen.add(t);
          grew = true;
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...ExecutionStatus.options].sort());
  });
});

describe("doorbells", () => {
  test("an offer names its execution, a freed slot says so, anything else means look", () => {
    assert.deepEqual(decodeDoorbell(encodeWorkOffer("ex_1")), { kind: "offer", executionId: "ex_1" });
    assert.deepEqual(decodeDoorbell(encodeSlotFreed()), { kind: "freed" });
    for (const data of ["", "{", '{"offer":""}', '{"freed":"yes"}', "x".repeat(300)])
      assert.deepEqual(decodeDoorbell(new TextEncoder().encode(data)), { kind: "look" }, data);
  });

  test("every transition that gives back a run slot rings for the queue", () => {
    for (const [event, rule] of Object.entries(TRANSITIONS)) {
      const rings = rule.effects.includes("ringFreed") || rule.effects.includes("ring");
      if (rule.effects.includes("freeRunSlot")) assert.ok(rings, event);
    }
  });
});
