/**
 * Schedules managed through the API on a real local control plane (DynamoDB Local): adding a
 * cron job edits the workflow's document (its comments kept) and is validated with the field
 * named; pausing survives a re-apply and the dispatcher skips the paused job's ticks without
 * catching them up on resume; a viewer reads schedules but cannot change them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { systemClock } from "@assay/shared";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoScheduleStore } from "../adapters/aws/dynamo-schedule-store.ts";
import { createScheduleDispatcher } from "../core/schedules.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

const SOURCE = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: nightly
spec:
  # what the nightly run does
  steps:
    - shell: echo tick
`;

type Schedules = {
  items: Array<{ workflow: string; index: number; cron: string; timezone?: string; paused: boolean }>;
};
type ErrorBody = { error: { code: string; issues: Array<{ path: string }> } };

describe("schedules API", () => {
  let plane: TestControlPlane;
  let viewerToken = "";
  before(async () => {
    plane = await startTestControlPlane();
    const made = await plane.api(`/v1/orgs/${plane.orgId}/api-tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "reader", role: "viewer" }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    viewerToken = ((await made.json()) as { secret: string }).secret;
  });
  after(async () => {
    await plane?.stop();
  });

  const call = (path: string, method: string, body?: unknown, token?: string) =>
    plane.api(`${plane.envPath}/${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

  test("adding a schedule edits the document, keeps its comments, and names a bad field", async () => {
    const applied = await plane.api(`${plane.envPath}/workflows/nightly`, {
      method: "PUT",
      body: SOURCE,
      headers: { "content-type": "application/yaml" },
    });
    assert.equal(applied.status, 201);

    const badCron = await call("workflows/nightly/schedules", "POST", { cron: "61 * * * *" });
    assert.equal(badCron.status, 400);
    assert.equal((await json<ErrorBody>(badCron)).error.issues[0]?.path, "body.cron");
    const badZone = await call("workflows/nightly/schedules", "POST", {
      cron: "0 6 * * *",
      timezone: "Mars/Base",
    });
    assert.equal(badZone.status, 400);
    assert.equal((await json<ErrorBody>(badZone)).error.issues[0]?.path, "body.timezone");
    const missing = await call("workflows/absent/schedules", "POST", { cron: "0 6 * * *" });
    assert.equal(missing.status, 404);

    const added = await call("workflows/nightly/schedules", "POST", { cron: "*/5 * * * *", timezone: "UTC" });
    assert.equal(added.status, 201);
    assert.deepEqual(
      (await json<Schedules>(added)).items.map((s) => [s.index, s.cron, s.timezone, s.paused]),
      [[0, "*/5 * * * *", "UTC", false]],
    );
    const workflow = await json<{ source: string; version: number }>(
      await plane.api(`${plane.envPath}/workflows/nightly`),
    );
    assert.match(workflow.source, /# what the nightly run does/);
    assert.match(workflow.source, /events:\n\s+- cronjob:\n\s+cron: "?\*\/5 \* \* \* \*"?/);
    assert.equal(workflow.version, 2);
  });

  test("a paused schedule stays paused across a re-apply, skips its ticks, and resumes without catching up", async () => {
    const paused = await call("workflows/nightly/schedules/0", "PATCH", { paused: true });
    assert.equal(paused.status, 200);
    assert.equal((await json<Schedules>(paused)).items[0]?.paused, true);

    // Re-applying the same document keeps the pause (it lives beside the document).
    const source = (await json<{ source: string }>(await plane.api(`${plane.envPath}/workflows/nightly`)))
      .source;
    const reapplied = await plane.api(`${plane.envPath}/workflows/nightly`, {
      method: "PUT",
      body: source,
      headers: { "content-type": "application/yaml" },
    });
    assert.equal(reapplied.status, 200);
    const listed = await json<Schedules & { items: Array<{ workflow: string }> }>(
      await call("schedules", "GET"),
    );
    assert.deepEqual(
      listed.items.map((s) => [s.workflow, s.index, s.paused]),
      [["nightly", 0, true]],
    );

    const env = plane.runtimeEnv();
    const store = createDynamoScheduleStore({
      client: new DynamoDBClient({
        endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
        region: env.AWS_REGION,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
      tableName: env.ASSAY_TABLE_NAME as string,
    });
    const entry = (await store.list()).find((e) => e.workflowName === "nightly");
    assert.ok(entry);
    let now = Date.parse("2031-03-01T10:03:00Z");
    await store.put({ ...entry, since: new Date(now).toISOString() });
    const dispatcher = createScheduleDispatcher({
      schedules: store,
      executions: plane.core.executions,
      clock: { ...systemClock, now: () => now },
      logger: plane.logger,
    });
    now = Date.parse("2031-03-01T10:05:00.050Z");
    assert.equal((await dispatcher.dispatch()).started, 0, "the paused job's 10:05 tick does not run");

    const resumed = await call("workflows/nightly/schedules/0", "PATCH", { paused: false });
    assert.equal((await json<Schedules>(resumed)).items[0]?.paused, false);
    now = Date.parse("2031-03-01T10:06:00Z");
    assert.equal((await dispatcher.dispatch()).started, 0, "the tick slept through is not caught up");
    now = Date.parse("2031-03-01T10:10:00.050Z");
    assert.equal((await dispatcher.dispatch()).started, 1, "the next tick after resuming runs");

    const gone = await call("workflows/nightly/schedules/7", "PATCH", { paused: true });
    assert.equal(gone.status, 404);
    const bad = await call("workflows/nightly/schedules/0", "PATCH", { paused: "yes" });
    assert.equal(bad.status, 400);
  });

  test("a viewer reads schedules but cannot add, pause or resume them", async () => {
    const read = await call("schedules", "GET", undefined, viewerToken);
    assert.equal(read.status, 200);
    assert.equal((await json<Schedules>(read)).items.length, 1);
    const pause = await call("workflows/nightly/schedules/0", "PATCH", { paused: true }, viewerToken);
    assert.equal(pause.status, 403);
    const add = await call("workflows/nightly/schedules", "POST", { cron: "0 6 * * *" }, viewerToken);
    assert.equal(add.status, 403);
  });
});
