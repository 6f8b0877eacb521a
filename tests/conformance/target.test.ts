/**
 * `spec.execution.target` with the real agent on a real local control plane: the agent runs
 * with `--label region=eu --label tier=ci`; a run whose target it matches runs on it, one it
 * does not match stays queued and says why (the API's `waiting`), as Testkube leaves a run
 * for a runner that is not there (also in `assay execution get`). `spec.timeouts.queue` cancels
 * a run still queued when it elapses.
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
    fx = await startAgentFixture("process", ["--label", "region=eu", "--label", "tier=ci"], {
      reaperIntervalMs: 300,
    });
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
    const got = await fx.stack.cli(["execution", "get", us]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^Status: +queued$/m);
    assert.match(got.stdout, /^Target: +region=us$/m);
    assert.match(
      got.stdout,
      new RegExp(
        `^Waiting: +waiting for an agent matching region=us: none of the 1 online agent in ${fx.plane.envId} matches$`,
        "m",
      ),
    );
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

  test("timeouts.queue cancels a run still queued when it elapses, with the reason", async () => {
    await fx.put(
      "workflows",
      "queue-timeout",
      workflowDoc(
        "queue-timeout",
        "  timeouts:\n    queue: 1s\n  execution:\n    target:\n      match:\n        region: [us]\n  steps:\n  - shell: echo never\n",
      ),
    );
    const id = await fx.stack.start("queue-timeout");
    const final = await fx.stack.finished(id);
    assert.equal(final.status, "canceled");
    assert.equal(final.startedAt, undefined);
    assert.equal(
      final.message,
      "canceled: still queued when spec.timeouts.queue elapsed (no agent took it in time)",
    );
    const got = await fx.stack.cli(["execution", "get", id]);
    assert.match(got.stdout, /^Status: +canceled$/m);
    assert.match(got.stdout, /^Message: +canceled: still queued when spec\.timeouts\.queue elapsed/m);
    assert.doesNotMatch(got.stdout, /^Waiting:/m);

    // A run an agent takes in time is not affected by its queue timeout, nor by an
    // initialization timeout it meets.
    const doc = workflowDoc(
      "queue-timeout-ok",
      "  timeouts:\n    queue: 1s\n    initialization: 1m\n  steps:\n  - shell: sleep 2; echo took it in time\n",
    );
    const applied = await fx.plane.api(`${fx.plane.envPath}/workflows/queue-timeout-ok`, {
      method: "PUT",
      body: doc,
      headers: { "content-type": "application/yaml" },
    });
    const answer = await applied.text();
    assert.ok(applied.status < 300, answer);
    assert.doesNotMatch(answer, /timeouts\./);
    const ok = await fx.run("queue-timeout-ok", doc);
    assert.equal(ok.status, "passed", ok.log);
    assert.match(ok.log, /took it in time/);
  });
});
