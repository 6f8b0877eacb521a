/**
 * The control-plane half of the workflow engine on a real local control plane (DynamoDB Local,
 * no agent): templates merged at run start, config validation and encryption at rest, cron
 * ticks fired exactly once by racing and restarted dispatchers, concurrency groups holding
 * runs in the queue, and tag / label filters.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { systemClock } from "@assay/shared";
import { parseWorkflowText } from "@assay/shared/workflow";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { parse } from "yaml";
import { createDynamoExecutionStore } from "../adapters/aws/dynamo-execution-store.ts";
import { createDynamoScheduleStore } from "../adapters/aws/dynamo-schedule-store.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { internalPrincipal } from "./access.ts";
import { createScheduleDispatcher, TICK_TAG } from "./schedules.ts";

const doc = (kind: string, name: string, spec: string, meta = "") =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${meta}spec:\n${spec}`;

describe("workflow engine (control plane)", () => {
  let plane: TestControlPlane;
  let raw: ReturnType<typeof createDynamoExecutionStore>;
  before(async () => {
    plane = await startTestControlPlane();
    const env = plane.runtimeEnv();
    const client = new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: env.AWS_REGION,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    raw = createDynamoExecutionStore({ client, tableName: env.ASSAY_TABLE_NAME as string });
  });
  after(async () => {
    await plane?.stop();
  });

  const put = (path: string, body: string) =>
    plane.api(`${plane.envPath}/${path}`, {
      method: "PUT",
      body,
      headers: { "content-type": "application/yaml" },
    });
  const run = (name: string, body: unknown = {}) =>
    plane.api(`${plane.envPath}/workflows/${name}/executions`, {
      method: "POST",
      body: JSON.stringify(body),
    });
  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  // The free plan counts queued runs against its 5 concurrent executions: clear them between tests.
  const cancelQueued = async () => {
    const internal = internalPrincipal(plane.orgId, "test cleanup");
    const page = await plane.core.executions.list(
      internal,
      plane.orgId,
      plane.envId,
      { status: "queued" },
      { limit: 100 },
    );
    for (const e of page.items) await plane.core.executions.abort(internal, plane.orgId, plane.envId, e.id);
  };
  afterEach(cancelQueued);

  test("templates: apply, list, get, delete, and merged into the run's spec", async () => {
    const template = doc(
      "TestWorkflowTemplate",
      "org--k6",
      `  config:
    version: {type: string, default: "0.49.0"}
    vus: {type: integer, default: 1}
  container:
    env: [{name: FROM, value: template}]
  steps:
  - name: k6
    shell: echo k6 {{ config.version }} vus={{ config.vus }}
  after:
  - name: tpl-after
    shell: echo after
`,
    );
    assert.equal((await put("templates/org--k6", template)).status, 201);
    assert.equal((await put("templates/org--k6", template)).status, 200);
    const mismatch = await put("templates/other", template);
    assert.equal(mismatch.status, 400);
    const listed = await json<{ items: Array<{ name: string }> }>(
      await plane.api(`${plane.envPath}/templates`),
    );
    assert.deepEqual(
      listed.items.map((t) => t.name),
      ["org--k6"],
    );
    const got = await json<{ source: string }>(await plane.api(`${plane.envPath}/templates/org--k6`));
    assert.equal(got.source, template);

    const workflow = doc(
      "TestWorkflow",
      "uses-k6",
      `  config:
    v: {type: string, default: "1.0.0"}
  use:
  - name: org/k6
    config: {version: "{{ config.v }}", vus: 3}
  steps:
  - name: own
    shell: echo own
`,
    );
    assert.equal((await put("workflows/uses-k6", workflow)).status, 201);
    const started = await json<{ id: string; steps: Array<{ name: string }> }>(
      await run("uses-k6", { config: { v: "2.0.0" } }),
    );
    assert.deepEqual(
      started.steps.map((s) => s.name),
      ["k6", "own", "tpl-after"],
    );
    const stored = await plane.core.ports.executions.get({
      orgId: plane.orgId,
      envId: plane.envId,
      id: started.id,
    });
    const spec = parse(stored?.specYaml ?? "");
    assert.equal(spec.spec.use, undefined, "the agent receives no use");
    assert.equal(spec.spec.steps[0].shell, "echo k6 {{ config.v }} vus=3");
    assert.deepEqual(spec.spec.container.env, [{ name: "FROM", value: "template" }]);

    const missing = doc("TestWorkflow", "uses-missing", "  steps:\n  - template: {name: nope}\n");
    assert.equal((await put("workflows/uses-missing", missing)).status, 201);
    const refused = await run("uses-missing");
    const body = await json<{ error: { code: string; message: string } }>(refused);
    assert.equal(body.error.code, "failed_precondition");
    assert.match(body.error.message, /template nope not found \(spec\.steps\[0\]\.template\)/);

    const deleted = await plane.api(`${plane.envPath}/templates/org--k6`, { method: "DELETE" });
    assert.equal(deleted.status, 204);
    assert.equal((await plane.api(`${plane.envPath}/templates/org--k6`)).status, 404);
  });

  test("the spec handed to the agent reads back with YAML 1.1 words kept as strings", async () => {
    const words = ["on", "yes", "no", "y", "n", "off", "true", "False", "~", "0755"];
    const env = words.map((w, i) => `    - {name: E${i}, value: "${w}"}`).join("\n");
    const workflow = doc(
      "TestWorkflow",
      "yaml-words",
      `  container:\n    env:\n${env}\n  steps:\n  - shell: echo ok\n`,
    );
    assert.equal((await put("workflows/yaml-words", workflow)).status, 201);
    const started = await json<{ id: string }>(await run("yaml-words", { tags: { k: "yes", off: "on" } }));
    const stored = await plane.core.ports.executions.get({
      orgId: plane.orgId,
      envId: plane.envId,
      id: started.id,
    });
    // The agent reads the spec with the same parser the API validated it with.
    const read = parseWorkflowText(stored?.specYaml ?? "", { select: "first" });
    assert.ok(read.ok, JSON.stringify(read));
    assert.deepEqual(read.workflow.spec.execution?.tags, { k: "yes", off: "on" });
    assert.deepEqual(
      read.workflow.spec.container?.env?.map((e) => e.value),
      words,
    );
  });

  test("config: types, constraints, and sensitive values sealed at rest, masked in the API", async () => {
    const workflow = doc(
      "TestWorkflow",
      "configured",
      `  config:
    name: {type: string, minLength: 2, maxLength: 5, pattern: "^[a-z]+$"}
    count: {type: integer, default: 2, minimum: 1, maximum: 3}
    mode: {type: string, enum: [fast, slow], default: fast}
    password: {type: string, sensitive: true}
  steps:
  - shell: echo {{ config.name }}
`,
    );
    assert.equal((await put("workflows/configured", workflow)).status, 201);
    const bad = await json<{ error: { issues: Array<{ path: string; message: string }> } }>(
      await run("configured", { config: { name: "A", count: 9, mode: "x", extra: 1 } }),
    );
    const messages = bad.error.issues.map((i) => `${i.path}: ${i.message}`);
    for (const expected of [
      "config.extra: is not a parameter of this workflow",
      "config.name: must be at least 2 characters long",
      "config.name: must match the pattern ^[a-z]+$",
      "config.count: must be at most 3",
      "config.mode: must be one of fast, slow",
      "config.password: is required (the parameter has no default)",
    ]) {
      assert.ok(messages.includes(expected), `${expected} in ${messages.join("; ")}`);
    }
    const ok = await run("configured", { config: { name: "abc", password: "hunter2" } });
    assert.equal(ok.status, 201);
    const view = await json<{ id: string; config: Record<string, string>; sensitive: string[] }>(ok);
    assert.deepEqual(view.config, { name: "abc", count: "2", mode: "fast", password: "********" });
    const stored = await raw.get({ orgId: plane.orgId, envId: plane.envId, id: view.id });
    assert.match(stored?.config.password ?? "", /^enc:v1:/, "stored encrypted");
    assert.ok(!JSON.stringify(stored).includes("hunter2"));
    const opened = await plane.core.ports.executions.get({
      orgId: plane.orgId,
      envId: plane.envId,
      id: view.id,
    });
    assert.equal(opened?.config.password, "hunter2", "the core (and so the agent) gets the value");
    const again = await json<{ config: Record<string, string> }>(
      await plane.api(`${plane.envPath}/executions/${view.id}`),
    );
    assert.equal(again.config.password, "********");
  });

  test("config: a pattern the linear-time engine cannot run is refused at apply", async () => {
    const workflow = doc(
      "TestWorkflow",
      "lookahead",
      `  config:\n    x: {type: string, pattern: "^(?=a)a+$"}\n  steps:\n  - shell: echo hi\n`,
    );
    const res = await put("workflows/lookahead", workflow);
    assert.equal(res.status, 400);
    const body = await json<{ error: { code: string; issues: Array<{ path: string; message: string }> } }>(
      res,
    );
    assert.equal(body.error.code, "invalid_argument");
    assert.equal(body.error.issues[0]?.path, "spec.config.x.pattern");
    assert.match(body.error.issues[0]?.message ?? "", /not a supported regular expression/);
    const catastrophic = doc(
      "TestWorkflow",
      "nested",
      `  config:\n    x: {type: string, pattern: "^(a+)+$"}\n  steps:\n  - shell: echo hi\n`,
    );
    assert.equal((await put("workflows/nested", catastrophic)).status, 201);
    const refused = await run("nested", { config: { x: `${"a".repeat(28)}!` } });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(await refused.json()), /must match the pattern/);
  });

  test("sources of 400 KB to 1 MiB answer 413 with the limit; over 1 MiB the body limit says so", async () => {
    const padded = (kind: string, name: string, bytes: number) =>
      `${doc(kind, name, "  steps:\n  - shell: echo hi\n")}# ${"x".repeat(bytes)}\n`;
    for (const [path, kind, bytes] of [
      ["workflows/big", "TestWorkflow", 400 * 1024],
      ["workflows/bigger", "TestWorkflow", 1000 * 1024],
      ["templates/big-tpl", "TestWorkflowTemplate", 200 * 1024],
    ] as const) {
      const res = await put(path, padded(kind, path.split("/")[1] ?? "", bytes));
      assert.equal(res.status, 413, path);
      const body = await json<{ error: { code: string; message: string } }>(res);
      assert.equal(body.error.code, "payload_too_large");
      assert.match(body.error.message, /source is \d+ bytes: the limit is 131072 bytes/);
    }
    const huge = await put("workflows/huge", padded("TestWorkflow", "huge", 1100 * 1024));
    assert.equal(huge.status, 413);
    assert.match((await json<{ error: { message: string } }>(huge)).error.message, /limit of 1 MiB/);
    assert.equal((await put("workflows/small", padded("TestWorkflow", "small", 100 * 1024))).status, 201);
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
      plane.orgId,
      plane.envId,
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
      plane.orgId,
      plane.envId,
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

  test("concurrency.cancelInProgress: a new run cancels the older runs of its group still queued", async () => {
    const workflow = doc(
      "TestWorkflow",
      "newest",
      `  concurrency: {group: "{{ workflow.name }}-env", max: 1, cancelInProgress: true}
  steps:
  - shell: echo newest wins
`,
    );
    assert.equal((await put("workflows/newest", workflow)).status, 201);
    const first = (await json<{ id: string }>(await run("newest"))).id;
    const second = (await json<{ id: string }>(await run("newest"))).id;
    const older = await json<{ status: string; message?: string }>(
      await plane.api(`${plane.envPath}/executions/${first}`),
    );
    assert.equal(older.status, "canceled");
    assert.equal(
      older.message,
      `canceled before it started: replaced by newest-${second} (concurrency.cancelInProgress of group newest-env)`,
    );
    const claimed = await plane.core.work.claim(plane.orgId, plane.envId, "agent-n", 10);
    assert.deepEqual(
      claimed.filter((e) => e.workflowName === "newest").map((e) => e.id),
      [second],
    );
  });

  test("timeouts.queue: expressions resolve at run start; one that gives no duration refuses the run", async () => {
    const workflow = doc(
      "TestWorkflow",
      "patience",
      `  config:
    wait: {type: string, default: "90s"}
  timeouts: {queue: "{{ config.wait }}"}
  steps:
  - shell: echo waited
`,
    );
    assert.equal((await put("workflows/patience", workflow)).status, 201);
    const before = Date.now();
    const queued = await json<{ id: string }>(await run("patience"));
    const stored = await plane.core.ports.executions.get({
      orgId: plane.orgId,
      envId: plane.envId,
      id: queued.id,
    });
    assert.equal(stored?.status, "queued");
    // The deadline is the start plus the resolved 90 s (a range: the test does not time the start).
    assert.ok((stored?.leaseExpiresAtMs ?? 0) >= before + 90_000, JSON.stringify(stored?.leaseExpiresAtMs));
    const refused = await run("patience", { config: { wait: "soon" } });
    assert.equal(refused.status, 409);
    assert.match(
      ((await refused.json()) as { error: { message: string } }).error.message,
      /^spec\.timeouts\.queue: /,
    );
  });

  test("concurrency: runs beyond max stay queued and are claimed as slots free", async () => {
    const workflow = doc(
      "TestWorkflow",
      "serial",
      `  concurrency: {group: "{{ workflow.name }}-db", max: 1}
  steps:
  - shell: echo one at a time
`,
    );
    assert.equal((await put("workflows/serial", workflow)).status, 201);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await json<{ id: string }>(await run("serial"))).id);
    const { work } = plane.core;
    const first = await work.claim(plane.orgId, plane.envId, "agent-a", 10);
    const mine = first.filter((e) => e.workflowName === "serial");
    assert.deepEqual(
      mine.map((e) => e.id),
      [ids[0]],
    );
    assert.deepEqual(mine[0]?.concurrency, { group: "serial-db", max: 1 });
    const blocked = await work.claim(plane.orgId, plane.envId, "agent-b", 10);
    assert.equal(blocked.filter((e) => e.workflowName === "serial").length, 0, "the group is full");
    for (const id of ids.slice(1)) {
      assert.equal(
        (await plane.core.ports.executions.get({ orgId: plane.orgId, envId: plane.envId, id }))?.status,
        "queued",
      );
    }
    await work.finish(plane.orgId, plane.envId, "agent-a", ids[0] as string, {
      status: "passed",
      logBytes: 0,
      steps: [],
    });
    const next = await work.claim(plane.orgId, plane.envId, "agent-b", 10);
    assert.deepEqual(
      next.filter((e) => e.workflowName === "serial").map((e) => e.id),
      [ids[1]],
    );
    // Released back to the queue (agent at capacity): the slot frees for the next claim.
    await work.release(plane.orgId, plane.envId, "agent-b", ids[1] as string);
    const again = await work.claim(plane.orgId, plane.envId, "agent-c", 1);
    assert.deepEqual(
      again.map((e) => e.id),
      [ids[1]],
    );
  });

  test("filters: executions by tag, workflows by label", async () => {
    const labelled = doc(
      "TestWorkflow",
      "labelled",
      "  steps:\n  - shell: echo\n",
      '  labels: {team: qa, tier: "1"}\n',
    );
    assert.equal((await put("workflows/labelled", labelled)).status, 201);
    const byLabel = await json<{ items: Array<{ name: string }> }>(
      await plane.api(`${plane.envPath}/workflows?label=team=qa&label=tier=1`),
    );
    assert.deepEqual(
      byLabel.items.map((w) => w.name),
      ["labelled"],
    );
    const none = await json<{ items: unknown[] }>(
      await plane.api(`${plane.envPath}/workflows?label=team=dev`),
    );
    assert.equal(none.items.length, 0);
    const tagged = await json<{ id: string }>(await run("labelled", { tags: { ci: "yes", branch: "main" } }));
    await run("labelled", { tags: { ci: "no" } });
    const byTag = await json<{ items: Array<{ id: string }> }>(
      await plane.api(`${plane.envPath}/executions?tag=ci=yes&tag=branch=main`),
    );
    assert.deepEqual(
      byTag.items.map((e) => e.id),
      [tagged.id],
    );
    const badFilter = await plane.api(`${plane.envPath}/executions?tag=novalue`);
    assert.equal(badFilter.status, 400);
  });
});

const storeConfig = (plane: TestControlPlane) => {
  const env = plane.runtimeEnv();
  return {
    client: new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: env.AWS_REGION,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
    tableName: env.ASSAY_TABLE_NAME as string,
  };
};
