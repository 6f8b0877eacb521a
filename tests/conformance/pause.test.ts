/**
 * Pause and resume (Testkube's `paused: true` steps, and pausing a running execution) with the
 * real agent on a real local control plane: a paused execution keeps running status, lease and
 * log, its processes are stopped (SIGSTOP) and no step starts until it is resumed.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, step, workflowDoc } from "./agent-fixture.ts";

interface View {
  id: string;
  status: string;
  pausedAt?: string;
  pauseRequested?: boolean;
}

describe("pause and resume (real agent)", () => {
  let fx: AgentFixture;
  const view = async (id: string) =>
    (await (await fx.plane.api(`${fx.plane.envPath}/executions/${id}`)).json()) as View;
  const post = (id: string, action: string) =>
    fx.plane.api(`${fx.plane.envPath}/executions/${id}/${action}`, { method: "POST" });
  const pausedNow = (id: string) =>
    fx.stack.waitFor(`execution ${id} to be paused`, async () => {
      const v = await view(id);
      return v.pausedAt !== undefined ? v : undefined;
    });
  const resumedNow = (id: string) =>
    fx.stack.waitFor(`execution ${id} to be resumed`, async () => {
      const v = await view(id);
      return v.pausedAt === undefined ? v : undefined;
    });
  before(async () => {
    fx = await startAgentFixture();
  });
  after(async () => {
    await fx?.stop();
  });

  test("a paused step pauses the execution as it starts; resume runs it", async () => {
    await fx.put(
      "workflows",
      "approve",
      workflowDoc(
        "approve",
        `  steps:
  - name: build
    shell: echo built
  - name: deploy
    paused: true
    shell: echo deployed
`,
      ),
    );
    const id = await fx.stack.start("approve");
    const paused = await pausedNow(id);
    assert.equal(paused.status, "running", "a paused execution is still running");
    const log = await fx.stack.log(id);
    assert.match(log, /built/);
    assert.match(log, /\[assay\] paused: step "deploy" is paused/);
    assert.doesNotMatch(log, /deployed/);
    // The CLI resumes it like the API would.
    const resumed = await fx.stack.cli(["execution", "resume", id]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`resume requested for ${id}`));
    const final = await fx.stack.finished(id);
    assert.equal(final.status, "passed");
    assert.equal(step({ ...final, log: "" }, "deploy").status, "passed");
    const full = await fx.stack.log(id);
    assert.match(full, /\[assay\] resumed: resumed by a user/);
    assert.match(full, /deployed/);
  });

  test("pausing a running step stops its process until it is resumed", async () => {
    await fx.put(
      "workflows",
      "ticker",
      workflowDoc(
        "ticker",
        `  steps:
  - name: tick
    shell: |
      i=0
      while [ $i -lt 100 ]; do echo "tick $i"; i=$((i+1)); sleep 0.1; done
`,
      ),
    );
    const id = await fx.stack.start("ticker");
    await fx.stack.waitFor("the first ticks", async () =>
      (await fx.stack.log(id)).includes("tick 2") ? true : undefined,
    );
    const cli = await fx.stack.cli(["execution", "pause", id]);
    assert.equal(cli.code, 0, cli.stderr);
    await pausedNow(id);
    // Output that was on its way lands; after that the stopped process writes nothing.
    const settle = async () => {
      let before = "";
      for (;;) {
        await new Promise((r) => setTimeout(r, 700));
        const now = await fx.stack.log(id);
        if (now === before) return now;
        before = now;
      }
    };
    const frozen = await settle();
    assert.doesNotMatch(frozen, /tick 99/);
    assert.equal((await view(id)).status, "running");
    assert.equal((await post(id, "resume")).status, 202);
    await resumedNow(id);
    const final = await fx.stack.finished(id);
    assert.equal(final.status, "passed");
    assert.match(await fx.stack.log(id), /tick 99/);
  });

  test("a step's timeout does not count the time the execution is paused", async () => {
    // The group's timeout runs from its start; its second child pauses the execution inside it.
    await fx.put(
      "workflows",
      "patient",
      workflowDoc(
        "patient",
        `  steps:
  - name: group
    timeout: 3s
    steps:
    - name: first
      shell: echo first
    - name: gate
      paused: true
      shell: echo after-gate
`,
      ),
    );
    const id = await fx.stack.start("patient");
    await pausedNow(id);
    // Paused for longer than the group's whole timeout: as in Testkube, that time does not count.
    await new Promise((r) => setTimeout(r, 4_000));
    assert.equal((await post(id, "resume")).status, 202);
    const final = await fx.stack.finished(id);
    const log = await fx.stack.log(id);
    assert.equal(final.status, "passed", log);
    assert.match(log, /after-gate/);
  });

  test("aborting a paused execution ends it; pausing a finished one is refused", async () => {
    await fx.put(
      "workflows",
      "hold",
      workflowDoc("hold", "  steps:\n  - name: wait here\n    paused: true\n    shell: echo never\n"),
    );
    const id = await fx.stack.start("hold");
    await pausedNow(id);
    assert.equal((await post(id, "abort")).status, 202);
    const final = await fx.stack.finished(id);
    assert.equal(final.status, "aborted");
    const refused = await post(id, "pause");
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /only a running execution can be paused/);
    const cli = await fx.stack.cli(["execution", "pause", id]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /only a running execution can be paused/);
  });
});
