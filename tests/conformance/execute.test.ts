/**
 * `execute` steps (TestWorkflow suites) run by the real agent on a real local control plane:
 * children are executions of their own, started through the control plane, linked to their
 * parent, and their statuses decide the step's as in Testkube's toolkit. The agent runs one
 * execution at a time (`--concurrency 1`): a parent waiting for its children must not hold the
 * only place they could run in.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, step, workflowDoc } from "./agent-fixture.ts";

interface Listed {
  items: Array<{
    id: string;
    workflowName: string;
    status: string;
    config: Record<string, string>;
    parent?: { executionId: string; stepRef: string };
    tags: Record<string, string>;
  }>;
}

describe("execute: suites of workflows (real agent, one execution at a time)", () => {
  let fx: AgentFixture;
  const children = async (parentId: string) => {
    const res = await fx.plane.api(
      `${fx.plane.envPath}/executions?tag=${encodeURIComponent(`assay.io/parent=${parentId}`)}`,
    );
    assert.equal(res.status, 200);
    return ((await res.json()) as Listed).items;
  };
  before(async () => {
    fx = await startAgentFixture("process", ["--concurrency", "1"]);
    await fx.put(
      "workflows",
      "child-echo",
      workflowDoc(
        "child-echo",
        `  config:
    browser: {type: string, default: none}
    shard: {type: string, default: "0"}
  steps:
  - name: echo
    shell: echo "child browser={{ config.browser }} shard={{ config.shard }}"
`,
      ),
    );
    await fx.put(
      "workflows",
      "child-fails",
      workflowDoc("child-fails", "  steps:\n  - name: boom\n    shell: echo failing; exit 3\n"),
    );
    await fx.put(
      "workflows",
      "child-sleeps",
      workflowDoc("child-sleeps", "  steps:\n  - name: nap\n    shell: sleep 60\n"),
    );
  });
  after(async () => {
    await fx?.stop();
  });

  test("children fan out with matrix and count, pass, and link to their parent", async () => {
    const run = await fx.run(
      "suite-pass",
      workflowDoc(
        "suite-pass",
        `  execution:
    tags:
      team: qa
  steps:
  - name: run children
    execute:
      parallelism: 2
      workflows:
      - name: child-echo
        matrix:
          browser: [chrome, firefox]
        config:
          browser: "{{ matrix.browser }}"
      - name: child-echo
        count: 2
        config:
          shard: "{{ index + 1 }}"
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.equal(step(run, "run children").status, "passed");
    assert.match(run.log, /Total: 4 executions, 2 parallel/);
    assert.equal((run.log.match(/• scheduled \(/g) ?? []).length, 4, run.log);
    assert.equal((run.log.match(/child-echo-\w+ • passed/g) ?? []).length, 4, run.log);
    const kids = await children(run.id);
    assert.equal(kids.length, 4);
    for (const kid of kids) {
      assert.equal(kid.status, "passed");
      assert.deepEqual(kid.parent, { executionId: run.id, stepRef: "r1" });
      assert.equal(kid.tags.team, "qa", "children get the parent's tags");
    }
    const configs = kids.map((k) => `${k.config.browser}/${k.config.shard}`).sort();
    assert.deepEqual(configs, ["chrome/0", "firefox/0", "none/1", "none/2"]);
    const chrome = kids.find((k) => k.config.browser === "chrome");
    assert.match(await fx.stack.log(chrome?.id ?? ""), /child browser=chrome shard=0/);
  });

  test("a failing child fails the step and the run, naming it; the others still run", async () => {
    const run = await fx.run(
      "suite-fail",
      workflowDoc(
        "suite-fail",
        `  steps:
  - name: suite
    execute:
      workflows:
      - name: child-echo
      - name: child-fails
  - name: after suite
    shell: echo not reached
  - name: report
    condition: always
    shell: echo report ran
`,
      ),
    );
    assert.equal(run.status, "failed", run.log);
    assert.equal(step(run, "suite").status, "failed");
    assert.match(
      step(run, "suite").message ?? "",
      /1 of 2 child executions did not pass: execution child-fails-\w+ failed/,
    );
    assert.equal(step(run, "after suite").status, "skipped");
    assert.equal(step(run, "report").status, "passed");
    const kids = await children(run.id);
    assert.deepEqual(kids.map((k) => `${k.workflowName}:${k.status}`).sort(), [
      "child-echo:passed",
      "child-fails:failed",
    ]);
  });

  test("a workflow that does not exist fails the step with the reason", async () => {
    const run = await fx.run(
      "suite-missing",
      workflowDoc(
        "suite-missing",
        "  steps:\n  - name: suite\n    execute:\n      workflows:\n      - name: no-such-workflow\n",
      ),
    );
    assert.equal(run.status, "failed", run.log);
    assert.match(run.log, /failed to execute no-such-workflow: workflow no-such-workflow not found/);
  });

  test("async starts the children and passes without waiting", async () => {
    const run = await fx.run(
      "suite-async",
      workflowDoc(
        "suite-async",
        "  steps:\n  - name: fire\n    execute:\n      async: true\n      workflows:\n      - name: child-fails\n",
      ),
    );
    assert.equal(run.status, "passed", run.log);
    const [kid] = await children(run.id);
    assert.ok(kid !== undefined);
    const final = await fx.stack.finished(kid.id);
    assert.equal(final.status, "failed", "the child ran on its own and failed");
  });

  test("a child's own target replaces its workflow's: one no agent matches waits queued, saying why", async () => {
    const run = await fx.run(
      "suite-target",
      workflowDoc(
        "suite-target",
        `  steps:
  - execute:
      async: true
      workflows:
      - name: child-echo
        target:
          match:
            region: [mars]
      - name: child-echo
        target:
          not:
            region: [mars]
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    // The agent runs one execution at a time, so right after the parent both children may still
    // be queued; the one any agent matches runs and passes, the other stays queued.
    const kids = await fx.stack.waitFor("one child to pass while the other waits", async () => {
      const listed = await children(run.id);
      const settled = listed.length === 2 && listed.some((k) => k.status === "passed");
      return settled ? listed : undefined;
    });
    const stuck = kids.find((k) => k.status === "queued");
    assert.ok(stuck !== undefined, JSON.stringify(kids));
    const view = (await (await fx.plane.api(`${fx.plane.envPath}/executions/${stuck.id}`)).json()) as {
      waiting?: string;
    };
    assert.match(view.waiting ?? "", /waiting for an agent matching region=mars: none of the 1 online agent/);
    await fx.plane.api(`${fx.plane.envPath}/executions/${stuck.id}/abort`, { method: "POST" });
  });

  test("aborting the parent aborts the children it waits for", async () => {
    await fx.put(
      "workflows",
      "suite-abort",
      workflowDoc(
        "suite-abort",
        "  steps:\n  - name: suite\n    execute:\n      workflows:\n      - name: child-sleeps\n",
      ),
    );
    const id = await fx.stack.start("suite-abort");
    const kid = await fx.stack.waitFor("the child to run", async () => {
      const [k] = await children(id);
      return k?.status === "running" ? k : undefined;
    });
    const res = await fx.plane.api(`${fx.plane.envPath}/executions/${id}/abort`, { method: "POST" });
    assert.equal(res.status, 202);
    const parent = await fx.stack.finished(id);
    assert.equal(parent.status, "aborted");
    const child = await fx.stack.finished(kid.id);
    assert.equal(child.status, "aborted");
  });

  test("selector runs every workflow with the labels; execute.tests is refused with the reason", async () => {
    await fx.put(
      "workflows",
      "labelled-a",
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: labelled-a\n  labels:\n    suite: smoke\nspec:\n  steps:\n  - shell: echo a\n",
    );
    await fx.put(
      "workflows",
      "labelled-b",
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: labelled-b\n  labels:\n    suite: smoke\nspec:\n  steps:\n  - shell: echo b\n",
    );
    const run = await fx.run(
      "suite-selector",
      workflowDoc(
        "suite-selector",
        "  steps:\n  - execute:\n      workflows:\n      - selector:\n          matchLabels:\n            suite: smoke\n",
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.deepEqual((await children(run.id)).map((k) => k.workflowName).sort(), [
      "labelled-a",
      "labelled-b",
    ]);
    const legacy = await fx.run(
      "suite-tests",
      workflowDoc("suite-tests", "  steps:\n  - execute:\n      tests:\n      - name: old-test\n"),
    );
    assert.equal(legacy.status, "failed");
    assert.match(
      legacy.message ?? "",
      /execute\.tests starts Testkube's legacy Tests, which Assay does not have/,
    );
  });
});
