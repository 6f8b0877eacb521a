/**
 * The `freed` doorbell on the wire: a run that ends gives back one of the plan's run slots, and
 * a run of the same environment waiting for one starts on the agent that may take it. The sweep
 * never comes here, and the finishing agent cannot take the waiting run (its target names
 * another agent), so only the doorbell can start it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { connect, passedResult } from "../testing/protocol-client.ts";

/** A workflow whose one step sleeps (its agent is told to run it; nothing runs here). */
const workflow = (name: string, extra = "") =>
  ["apiVersion: testworkflows.testkube.io/v1", "kind: TestWorkflow", `metadata: {name: ${name}}`, "spec:"]
    .concat(extra ? [extra.trimEnd()] : [], ["  steps:", "    - {name: wait, shell: sleep 30}"])
    .join("\n");

const MARS = "  execution:\n    target:\n      match:\n        region: [mars]\n";

describe("agent gateway: a freed run slot (no sweep)", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane({ gateway: { sweepIntervalMs: 3_600_000 } });
    await plane.putWorkflow("sleepy", workflow("sleepy"));
    await plane.putWorkflow("mars-only", workflow("mars-only", MARS));
  });
  after(async () => {
    await plane?.stop();
  });

  const start = (name: string) => plane.startRun(name);
  const status = async (id: string) =>
    ((await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as { status: string }).status;

  test("a run waiting for the plan's run slot starts on its agent when another agent's run ends", async () => {
    // The free plan has 5 run slots: one agent holds all of them.
    const busy = connect(plane, plane.agentToken);
    busy.hello("freed-busy", [], 5);
    await busy.next("welcome");
    const held: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await start("sleepy");
      assert.equal((await busy.next("run")).executionId, id);
      held.push(id);
    }
    // Only this agent may run the targeted run; it has room, the plan has not.
    const mars = connect(plane, plane.agentToken);
    mars.hello("freed-mars", [], 1, "test", ["runner.process", "logs.offsets", "label:region=mars"]);
    await mars.next("welcome");
    const waiting = await start("mars-only");
    await assert.rejects(mars.next("run", 1_000), "no run slot is free yet");
    assert.equal(await status(waiting), "queued");

    const ack = busy.next("resultAck");
    busy.send(passedResult(held[0] ?? ""));
    assert.equal((await ack).accepted, true);
    assert.equal((await mars.next("run", 10_000)).executionId, waiting);
    await assert.rejects(busy.next("run", 500), "the finishing agent is not given the targeted run");
    busy.close();
    mars.close();
  });
});
