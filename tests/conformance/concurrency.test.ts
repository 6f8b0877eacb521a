/**
 * `concurrency.cancelInProgress` with the real agent on a real local control plane: a new run
 * of a full group aborts the oldest running one and takes its place, as Testkube documents it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, workflowDoc } from "./agent-fixture.ts";

describe("concurrency.cancelInProgress (real agent)", () => {
  let fx: AgentFixture;
  before(async () => {
    fx = await startAgentFixture();
  });
  after(async () => {
    await fx?.stop();
  });

  test("the newest run of a full group aborts the oldest running one", async () => {
    await fx.put(
      "workflows",
      "deploy-preview",
      workflowDoc(
        "deploy-preview",
        `  config:
    secs: {type: string, default: "60"}
  concurrency:
    max: 1
    cancelInProgress: true
  steps:
  - name: deploy
    shell: echo "deploying for {{ config.secs }}s"; sleep {{ config.secs }}
`,
      ),
    );
    const first = await fx.stack.start("deploy-preview");
    await fx.stack.waitFor("the first run to run", async () =>
      (await fx.stack.getExecution(first)).status === "running" ? true : undefined,
    );
    const second = await fx.stack.start("deploy-preview", { config: { secs: "0" } });
    const old = await fx.stack.finished(first);
    assert.equal(old.status, "aborted");
    assert.match(old.message ?? "", new RegExp(`canceled in progress by deploy-preview-${second}`));
    const next = await fx.stack.finished(second);
    assert.equal(next.status, "passed");
    assert.match(await fx.stack.log(second), /deploying for 0s/);
  });
});
