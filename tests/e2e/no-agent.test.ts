/**
 * An environment with no agent online says so everywhere: a queued execution carries "waiting
 * for an agent: none online in <env>" in the API, `assay run --watch` prints it, and
 * `--timeout` gives up with exit 2 and a line saying so.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { ASSAY } from "../support/agent-stack.ts";

const WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: lonely
spec:
  steps:
    - shell: echo hi
`;

describe("no agent online", () => {
  let plane: TestControlPlane;
  const cli = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [ASSAY, ...args], {
        env: {
          ...process.env,
          ASSAY_URL: plane.apiUrl,
          ASSAY_TOKEN: plane.apiToken,
          ASSAY_ORG: plane.orgId,
          ASSAY_ENV: plane.envId,
          NO_COLOR: "1",
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  before(async () => {
    plane = await startTestControlPlane();
    const put = await plane.api(`${plane.envPath}/workflows/lonely`, {
      method: "PUT",
      body: WORKFLOW,
      headers: { "content-type": "application/yaml" },
    });
    assert.ok(put.status < 300, await put.text());
  });
  after(async () => {
    await plane?.stop();
  });

  test("the API says why a queued execution waits", async () => {
    const res = await plane.api(`${plane.envPath}/workflows/lonely/executions`, {
      method: "POST",
      body: "{}",
    });
    const created = (await res.json()) as { id: string; status: string; waiting?: string };
    assert.equal(res.status, 201);
    const reason = `waiting for an agent: none online in ${plane.envId}`;
    assert.equal(created.waiting, reason);
    const got = (await (await plane.api(`${plane.envPath}/executions/${created.id}`)).json()) as {
      waiting?: string;
    };
    assert.equal(got.waiting, reason);
    const list = (await (await plane.api(`${plane.envPath}/executions`)).json()) as {
      items: Array<{ id: string; waiting?: string }>;
    };
    assert.equal(list.items.find((e) => e.id === created.id)?.waiting, reason);
  });

  test("run --watch says it and --timeout gives up with exit 2", async () => {
    const run = await cli(["run", "lonely", "--watch", "--timeout", "2s"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`waiting for an agent: none online in ${plane.envId}\\n`));
    assert.match(run.stderr, /gave up after 2s: execution \S+ is still queued/);
  });

  test("a bad --timeout is refused with a clear message", async () => {
    const run = await cli(["run", "lonely", "--watch", "--timeout", "soon"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--timeout expects a duration such as 30s, 5m or 1h \(got "soon"\)/);
    const noWatch = await cli(["run", "lonely", "--timeout", "5s"]);
    assert.match(noWatch.stderr, /--timeout needs --watch/);
  });
});
