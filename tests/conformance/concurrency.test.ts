/**
 * `concurrency.cancelInProgress` with the real agent on a real local control plane: a new run
 * of a full group aborts the oldest running one and takes its place, as Testkube documents it;
 * older runs of the group still queued are canceled, so the newest run is the one that runs next.
 * Without `cancelInProgress` a new run waits for the one in progress.
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

  test("an older run of the group still queued is canceled; the newest runs", async () => {
    await fx.put(
      "workflows",
      "serial",
      workflowDoc(
        "serial",
        `  config:
    secs: {type: string, default: "0"}
  concurrency:
    group: deploy-{{ workflow.name }}
    max: 1
    cancelInProgress: true
  steps:
  - shell: sleep {{ config.secs }} && echo done
`,
      ),
    );
    const first = await fx.stack.start("serial", { config: { secs: "60" } });
    await fx.stack.waitFor("the first run to run", async () =>
      (await fx.stack.getExecution(first)).status === "running" ? true : undefined,
    );
    const second = await fx.stack.start("serial", { config: { secs: "60" } });
    const third = await fx.stack.start("serial");
    const one = await fx.stack.finished(first);
    assert.equal(one.status, "aborted", JSON.stringify(one));
    assert.match(one.message ?? "", new RegExp(`canceled in progress by serial-${second} `));
    // The second was either still queued (canceled) or had just taken the freed slot (aborted)
    // when the third arrived; either way the third replaced it.
    const two = await fx.stack.finished(second);
    assert.ok(["canceled", "aborted"].includes(two.status), JSON.stringify(two));
    assert.match(
      two.message ?? "",
      new RegExp(`serial-${third} \\(concurrency\\.cancelInProgress of group deploy-serial\\)`),
    );
    const three = await fx.stack.finished(third);
    assert.equal(three.status, "passed", JSON.stringify(three));
    assert.match(await fx.stack.log(third), /done/);
  });

  test("without cancelInProgress a new run waits for the one in progress", async () => {
    await fx.put(
      "workflows",
      "patient",
      workflowDoc(
        "patient",
        `  concurrency:
    max: 1
  steps:
  - shell: sleep 2 && echo done
`,
      ),
    );
    const first = await fx.stack.start("patient");
    await fx.stack.waitFor("the first run to run", async () =>
      (await fx.stack.getExecution(first)).status === "running" ? true : undefined,
    );
    const second = await fx.stack.start("patient");
    assert.equal((await fx.stack.finished(first)).status, "passed");
    assert.equal((await fx.stack.finished(second)).status, "passed");
  });
});
