/**
 * The control-plane half of the workflow engine on a real local control plane (DynamoDB Local,
 * no agent): templates merged at run start, the spec handed to the agent, config validation and
 * encryption at rest, and the size limits of sources. Cron ticks are in workflow-cron.test.ts;
 * concurrency groups, queue timeouts and filters in workflow-queue.test.ts.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { parseWorkflowText } from "@assay/shared/workflow";
import { parse } from "yaml";
import { doc, json, useEnginePlane } from "../testing/engine-plane.ts";
import type { TestControlPlane } from "../testing/harness.ts";

describe("workflow engine (control plane): templates, config, sources", () => {
  const engine = useEnginePlane();
  const { put, run } = engine;
  let plane: TestControlPlane;
  before(() => {
    plane = engine.plane;
  });

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
    const stored = await engine.raw.get({ orgId: plane.orgId, envId: plane.envId, id: view.id });
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
});
