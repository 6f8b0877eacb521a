/**
 * `assay insights` against a real control plane holding a constructed history: the text view
 * names the numbers, `-o json` is the API's body, and bad input exits 2 with a clear message.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { WorkflowInsights } from "@assay/shared";
import { systemClock } from "@assay/shared/time";
import { main } from "../../agent/src/cli/main.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { recordInsightHistory } from "../../functions/testing/insight-history.ts";

describe("assay insights", () => {
  let plane: TestControlPlane;
  const dir = mkdtempSync(join(tmpdir(), "assay-insights-cli-"));

  before(async () => {
    plane = await startTestControlPlane();
    await recordInsightHistory(plane);
  });
  after(async () => plane?.stop());

  const cli = async (args: string[]) => {
    let out = "";
    const code = await main(
      [...args, "--url", plane.apiUrl, "--token", plane.apiToken, "--org", plane.orgId, "--env", plane.envId],
      {
        stdout: { write: (c: string | Uint8Array) => (out += String(c)) },
        stderr: { write: (c: string) => (out += c) },
        env: { ASSAY_DATA_DIR: join(dir, "none") },
        cwd: dir,
        clock: systemClock,
        color: false,
      },
    );
    return { code, out };
  };

  test("prints a workflow's runs, pass rate, reasons and flaky tests, and the same as JSON", async () => {
    let body: WorkflowInsights | undefined;
    for (let i = 0; i < 300 && !(body?.runs === 6 && body.flakyTests.length === 1); i++) {
      const json = await cli(["insights", "hello", "--days", "7", "-o", "json"]);
      assert.equal(json.code, 0, json.out);
      body = JSON.parse(json.out) as WorkflowInsights;
      if (body.runs !== 6 || body.flakyTests.length !== 1) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body?.passRate, 0.5);
    const text = await cli(["insights", "hello", "--days", "7"]);
    assert.equal(text.code, 0, text.out);
    assert.match(text.out, /runs 6: 2 passed, 2 failed, 0 timed out, 0 lost \(1 aborted, 1 canceled\)/);
    assert.match(text.out, /pass rate 50%/);
    assert.match(text.out, /2× {2}tests: exit code 1/);
    assert.match(text.out, /Flaky tests\n {2}e2e › login {2}2 passed, 1 failed, flip rate 100%/);
    const env = await cli(["insights", "--days", "7"]);
    assert.equal(env.code, 0, env.out);
    assert.match(env.out, /Workflows\n {2}hello {2}6 runs {2}50% passed/);
  });

  test("bad input exits 2 with a clear line", async () => {
    const days = await cli(["insights", "--days", "0"]);
    assert.equal(days.code, 2);
    assert.match(days.out, /--days must be a whole number from 1 to 90/);
    const missing = await cli(["insights", "nope"]);
    assert.equal(missing.code, 2, missing.out);
    assert.match(missing.out, /workflow nope not found/);
  });
});
