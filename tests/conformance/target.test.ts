/**
 * `spec.execution.target` with the real agent on a real local control plane: the agent runs
 * with `--label region=eu --label tier=ci`; a run whose target it matches runs on it, one it
 * does not match stays queued and says why (the API's `waiting`), as Testkube leaves a run
 * for a runner that is not there.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, workflowDoc } from "./agent-fixture.ts";

const targeted = (name: string, target: string) =>
  workflowDoc(
    name,
    `  execution:\n    target:\n${target}  steps:\n  - shell: echo ran on a matching agent\n`,
  );

describe("execution.target and agent labels (real agent)", () => {
  let fx: AgentFixture;
  before(async () => {
    fx = await startAgentFixture("process", ["--label", "region=eu", "--label", "tier=ci"]);
  });
  after(async () => {
    await fx?.stop();
  });

  test("a run whose target the agent matches runs on it", async () => {
    const run = await fx.run(
      "eu-only",
      targeted("eu-only", "      match:\n        region: [us, eu]\n      not:\n        tier: [spot]\n"),
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /ran on a matching agent/);
  });

  test("a run no agent matches stays queued and says why; an untargeted one still runs", async () => {
    await fx.put("workflows", "us-only", targeted("us-only", "      match:\n        region: [us]\n"));
    await fx.put("workflows", "not-ci", targeted("not-ci", "      not:\n        tier: [ci]\n"));
    const us = await fx.stack.start("us-only");
    const notCi = await fx.stack.start("not-ci");
    const plain = await fx.run("anywhere", workflowDoc("anywhere", "  steps:\n  - shell: echo anywhere\n"));
    assert.equal(plain.status, "passed", "other work is not held up");
    for (const [id, words] of [
      [us, "region=us"],
      [notCi, "not tier=ci"],
    ] as const) {
      const view = (await (await fx.plane.api(`${fx.plane.envPath}/executions/${id}`)).json()) as {
        status: string;
        waiting?: string;
      };
      assert.equal(view.status, "queued");
      assert.equal(
        view.waiting,
        `waiting for an agent matching ${words}: none of the 1 online agent in ${fx.plane.envId} matches`,
      );
    }
    const cli = await fx.stack.cli([
      "agent",
      "--url",
      fx.plane.ingressUrl,
      "--token",
      "asy_agent_x",
      "--label",
      "bad label",
    ]);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /--label bad label: must be key=value/);
  });
});
