/**
 * Cron events of workflows on a real local control plane (DynamoDB Local, no agent): a tick
 * starts one run across racing and restarted dispatchers, tagged with the tick, and a cron
 * job's own target replaces the workflow's.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { systemClock } from "@assay/shared";
import { createDynamoScheduleStore } from "../adapters/aws/dynamo-schedule-store.ts";
import { doc, json, storeConfig, useEnginePlane } from "../testing/engine-plane.ts";
import type { TestControlPlane } from "../testing/harness.ts";
import { internalPrincipal } from "./access.ts";
import { createScheduleDispatcher, TICK_TAG } from "./schedules.ts";

describe("workflow engine (control plane): cron", () => {
  const engine = useEnginePlane();
  const { put, run, cancelQueued } = engine;
  let plane: TestControlPlane;
  before(() => {
    plane = engine.plane;
  });

  test("cron: a tick starts one run across two dispatchers and a restart, tagged", async () => {
    const workflow = doc(
      "TestWorkflow",
      "nightly",
      `  events:
  - cronjob: {cron: "*/5 * * * *", timezone: Europe/Warsaw}
  steps:
  - shell: echo tick
`,
    );
    const badCron = workflow.replace("*/5 * * * *", "61 * * * *").replace("nightly", "bad-cron");
    const refused = await put("workflows/bad-cron", badCron);
    assert.equal(refused.status, 400);
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /spec\.events\[0\]\.cronjob/,
    );

    let now = Date.parse("2030-01-01T10:03:00Z");
    const clock = { ...systemClock, now: () => now };
    // Applied at 10:03 (the schedule index records when), so 10:00 is never fired.
    const applyPlane = plane.core.workflows;
    const schedules = createDynamoScheduleStore(storeConfig(plane));
    const entries = await schedules.list();
    await applyPlane.apply(
      internalPrincipal(plane.orgId, "test"),
      { orgId: plane.orgId, envId: plane.envId },
      "nightly",
      workflow,
    );
    const entry = (await schedules.list()).find((e) => e.workflowName === "nightly");
    assert.ok(entry && entries.length >= 0);
    await schedules.put({ ...entry, since: new Date(now).toISOString() });

    const dispatcher = () =>
      createScheduleDispatcher({ schedules, executions: plane.core.executions, clock, logger: plane.logger });
    const [a, b] = [dispatcher(), dispatcher()];
    assert.deepEqual(await a.dispatch(), { started: 0 });
    now = Date.parse("2030-01-01T10:05:00.050Z");
    const results = await Promise.all([a.dispatch(), b.dispatch(), a.dispatch()]);
    assert.equal(
      results.reduce((n, r) => n + r.started, 0),
      1,
      "one run for the 10:05 tick",
    );
    now += 90_000; // a restarted dispatcher looks back over the same tick
    assert.equal((await dispatcher().dispatch()).started, 0);
    now = Date.parse("2030-01-01T10:14:00Z"); // down at 10:10: caught up once by racing sweeps
    const caughtUp = await Promise.all([dispatcher().dispatch(), dispatcher().dispatch()]);
    assert.equal(
      caughtUp.reduce((n, r) => n + r.started, 0),
      1,
    );
    await cancelQueued(); // the plan's run slots count queued runs
    now = Date.parse("2030-01-01T10:15:00.050Z");
    assert.equal((await dispatcher().dispatch()).started, 1);

    const page = await json<{ items: Array<{ tags: Record<string, string> }> }>(
      await plane.api(`${plane.envPath}/executions?workflow=nightly`),
    );
    assert.deepEqual(page.items.map((e) => e.tags[TICK_TAG]).sort(), [
      "2030-01-01T10:05:00.000Z",
      "2030-01-01T10:10:00.000Z",
      "2030-01-01T10:15:00.000Z",
    ]);
    assert.equal(page.items[0]?.tags["assay.io/schedule"], "*/5 * * * * Europe/Warsaw");
    const started = await json<{ items: Array<{ startedBy?: unknown; number?: number }> }>(
      await plane.api(`${plane.envPath}/executions?workflow=nightly`),
    );
    assert.deepEqual(started.items[0]?.startedBy, {
      kind: "schedule",
      id: "nightly#0",
      cron: "*/5 * * * * Europe/Warsaw",
    });
    assert.deepEqual(
      started.items.map((e) => e.number),
      [3, 2, 1],
    );
  });

  test("cron: a cron job's own target replaces execution.target for its runs; a re-run keeps it", async () => {
    const workflow = doc(
      "TestWorkflow",
      "aimed",
      `  execution:
    target: {match: {os: [linux]}}
  events:
  - cronjob: {cron: "0 * * * *", target: {match: {os: [darwin]}, not: {tier: [slow]}}}
  steps:
  - shell: echo tick
`,
    );
    let now = Date.parse("2030-02-01T09:59:00Z");
    const clock = { ...systemClock, now: () => now };
    const schedules = createDynamoScheduleStore(storeConfig(plane));
    await plane.core.workflows.apply(
      internalPrincipal(plane.orgId, "test"),
      { orgId: plane.orgId, envId: plane.envId },
      "aimed",
      workflow,
    );
    const entry = (await schedules.list()).find((e) => e.workflowName === "aimed");
    assert.ok(entry);
    const aimed = { match: { os: ["darwin"] }, not: { tier: ["slow"] } };
    assert.deepEqual(entry.cronjobs[0]?.target, aimed);
    await schedules.put({ ...entry, since: new Date(now).toISOString() });
    await cancelQueued();
    now = Date.parse("2030-02-01T10:00:00.050Z");
    const dispatcher = createScheduleDispatcher({
      schedules,
      executions: plane.core.executions,
      clock,
      logger: plane.logger,
    });
    // Other workflows' schedules may fire on the same tick: count the runs of this one.
    assert.ok((await dispatcher.dispatch()).started >= 1);
    const page = await json<{ items: Array<{ id: string; target?: unknown }> }>(
      await plane.api(`${plane.envPath}/executions?workflow=aimed`),
    );
    assert.equal(page.items.length, 1);
    assert.deepEqual(page.items[0]?.target, aimed);
    // A re-run goes where the run it repeats went.
    const rerun = await plane.api(`${plane.envPath}/executions/${page.items[0]?.id}/rerun`, {
      method: "POST",
    });
    assert.equal(rerun.status, 201);
    assert.deepEqual((await json<{ target?: unknown }>(rerun)).target, aimed);
    // A run started by hand uses the workflow's execution.target.
    const manual = await json<{ target?: unknown }>(await run("aimed"));
    assert.deepEqual(manual.target, { match: { os: ["linux"] } });
  });
});
