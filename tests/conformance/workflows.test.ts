/**
 * Conformance workflows run by the real agent on a real local control plane: each exercises a
 * TestWorkflow feature and its edge cases, asserting final statuses and logs as Testkube
 * documents them.
 */
import assert from "node:assert/strict";
import { createServer, type ServerResponse } from "node:http";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, step, workflowDoc } from "./agent-fixture.ts";
import { assertOutputsPerPod, outputsPerPod } from "./outputs-per-pod.ts";

describe("conformance workflows (real agent)", () => {
  let fx: AgentFixture;
  before(async () => {
    fx = await startAgentFixture();
  });
  after(async () => {
    await fx?.stop();
  });

  test("retry until: a flaky step passes on its third attempt", async () => {
    const run = await fx.run(
      "retry-until",
      workflowDoc(
        "retry-until",
        `  steps:
  - name: flaky
    retry: {count: 4, until: passed}
    shell: |
      n=$(cat attempts 2>/dev/null || echo 0); n=$((n+1)); echo $n > attempts
      echo "attempt $n"
      [ "$n" -ge 3 ]
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.equal(step(run, "flaky").status, "passed");
    assert.match(run.log, /attempt 3/);
    assert.doesNotMatch(run.log, /attempt 4/);
  });

  test("conditions on env read the step's environment on the agent's host, at run time", async () => {
    const run = await fx.run(
      "env-conditions",
      workflowDoc(
        "env-conditions",
        `  container:
    env:
    - name: MODE
      value: fast
  steps:
  - name: declared
    condition: env.MODE == "fast"
    shell: echo declared-ran
  - name: other-mode
    condition: env.MODE == "slow"
    shell: echo other-ran
  - name: host
    condition: env.PATH != ""
    shell: echo host-ran
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.equal(step(run, "declared").status, "passed");
    assert.equal(step(run, "other-mode").status, "skipped");
    assert.equal(step(run, "host").status, "passed");
    assert.match(run.log, /declared-ran/);
    assert.doesNotMatch(run.log, /other-ran/);
    assert.match(run.log, /host-ran/);
  });

  test("negative and optional: an expected failure passes, an optional failure does not fail the run", async () => {
    const run = await fx.run(
      "negative-optional",
      workflowDoc(
        "negative-optional",
        `  steps:
  - name: must-fail
    negative: true
    shell: exit 3
  - name: may-fail
    optional: true
    shell: exit 1
  - name: still-runs
    shell: echo still here
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    assert.equal(step(run, "must-fail").status, "passed");
    assert.equal(step(run, "may-fail").status, "failed");
    assert.equal(step(run, "still-runs").status, "passed");
    assert.match(run.log, /still here/);
  });

  test("nested conditions after a failure", async () => {
    const run = await fx.run(
      "after-failure",
      workflowDoc(
        "after-failure",
        `  steps:
  - name: breaks
    shell: echo breaking; exit 1
  - name: skipped
    shell: echo should not run
  - name: on-failure
    condition: failed
    steps:
    - name: report
      shell: echo reporting the failure
    - name: inner-always
      condition: always
      shell: echo inner always
  - name: cleanup
    condition: always
    shell: echo cleaning up
`,
      ),
    );
    assert.equal(run.status, "failed");
    assert.equal(step(run, "skipped").status, "skipped");
    assert.equal(step(run, "on-failure").status, "passed");
    // The runner's rule: `passed` (the default) means nothing failed so far, before the group
    // included, so inside a `failed` group only `always` / `failed` children run.
    assert.equal(step(run, "report").status, "skipped");
    assert.equal(step(run, "inner-always").status, "passed");
    assert.equal(step(run, "cleanup").status, "passed");
    assert.doesNotMatch(run.log, /should not run|reporting the failure/);
    for (const line of ["inner always", "cleaning up"]) assert.match(run.log, new RegExp(line));
  });

  test("timeout inside retry: every attempt is cut at the timeout", async () => {
    const run = await fx.run(
      "timeout-retry",
      workflowDoc(
        "timeout-retry",
        `  steps:
  - name: hangs
    timeout: 1s
    retry: {count: 1}
    shell: echo try; sleep 20
`,
      ),
    );
    assert.notEqual(run.status, "passed");
    assert.ok(["timeout", "failed"].includes(step(run, "hangs").status), step(run, "hangs").status);
    // An attempt that was not cut would sleep on and pass: the status above rules that out.
    assert.equal(run.log.match(/^try$/gm)?.length, 2, "two attempts");
  });

  test("expressions: config folded into conditions and commands", async () => {
    const run = await fx.run(
      "expressions",
      workflowDoc(
        "expressions",
        `  config:
    workers: {type: integer, default: 2}
    enabled: {type: boolean, default: false}
  steps:
  - name: math
    shell: echo "workers+1={{ config.workers + 1 }} {{ join(map(range(config.workers), '_.value * 10'), '-') }} {{ shellquote('a b') }}"
  - name: disabled
    condition: config.enabled && passed
    shell: echo disabled ran
  - name: enabled
    condition: "!config.enabled"
    shell: echo enabled ran
`,
      ),
      { workers: "3" },
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /workers\+1=4 0-10-20 'a b'/);
    assert.equal(step(run, "disabled").status, "skipped");
    assert.match(run.log, /enabled ran/);
  });

  test("templates overriding config", async () => {
    await fx.put(
      "templates",
      "greeter",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflowTemplate
metadata:
  name: greeter
spec:
  config:
    greeting: {type: string, default: hello}
    who: {type: string, default: world}
  container:
    env: [{name: FROM_TEMPLATE, value: "{{ config.who }}"}]
  steps:
  - name: greet
    shell: echo "{{ config.greeting }}, {{ config.who }} ($FROM_TEMPLATE)"
`,
    );
    const run = await fx.run(
      "templated",
      workflowDoc(
        "templated",
        `  config:
    name: {type: string, default: assay}
  use:
  - name: greeter
    config: {who: "{{ config.name }}"}
  steps:
  - name: own
    shell: echo own step
`,
      ),
      { name: "conformance" },
    );
    assert.equal(run.status, "passed", run.log);
    assert.match(run.log, /hello, conformance \(conformance\)/);
    assert.deepEqual(
      run.steps.filter((s) => s.parentRef === undefined).map((s) => s.name),
      ["greet", "own"],
    );
  });

  test("matrix x shards: one worker per combination, each with its values", async () => {
    const run = await fx.run(
      "matrix-shards",
      workflowDoc(
        "matrix-shards",
        `  steps:
  - name: fan-out
    parallel:
      matrix:
        browser: [chrome, firefox]
      shards:
        files: [a, b, c, d]
      count: 2
      shell: echo "worker {{ index }} {{ matrix.browser }} {{ join(shard.files, '+') }}"
`,
      ),
    );
    assert.equal(run.status, "passed", run.log);
    const lines = run.log.match(/^worker \d+ \S+ \S+$/gm) ?? [];
    assert.equal(lines.length, 4, run.log);
    for (const browser of ["chrome", "firefox"]) {
      assert.equal(lines.filter((l) => l.includes(browser)).length, 2);
    }
  });

  test("sensitive config: decrypted for the agent, masked in the stored log and the API", async () => {
    const run = await fx.run(
      "sensitive",
      workflowDoc(
        "sensitive",
        `  config:
    token: {type: string, sensitive: true}
  steps:
  - name: uses-token
    shell: echo "token is {{ config.token }}"; [ "{{ config.token }}" = "s3cr3t-value" ]
`,
      ),
      { token: "s3cr3t-value" },
    );
    assert.equal(run.status, "passed", "the agent received the plain value");
    assert.doesNotMatch(run.log, /s3cr3t-value/);
    assert.match(run.log, /token is \S+/);
    const view = (await (await fx.plane.api(`${fx.plane.envPath}/executions/${run.id}`)).json()) as {
      config: Record<string, string>;
    };
    assert.equal(view.config.token, "********");
  });

  test("a service that never becomes ready fails the step with a clear message", async () => {
    const run = await fx.run(
      "service-never-ready",
      workflowDoc(
        "service-never-ready",
        `  steps:
  - name: uses-db
    services:
      db:
        timeout: 2s
        shell: sleep 30
        readinessProbe:
          tcpSocket: {port: 1}
          periodSeconds: 1
    shell: echo should not run
`,
      ),
    );
    assert.equal(run.status, "failed");
    assert.doesNotMatch(run.log, /should not run/);
    const failed = run.steps.find((s) => s.status === "failed" || s.status === "timeout");
    assert.ok(failed, JSON.stringify(run.steps));
    assert.match(`${failed.message ?? ""} ${run.message ?? ""} ${run.log}`, /ready/i);
  });

  // Testkube keeps step outputs per pod: the workflow's, each worker's, each service's.
  test("step outputs: workers and services have their own; the workflow's survive them", async () => {
    assertOutputsPerPod(await fx.run("outputs-per-pod", workflowDoc("outputs-per-pod", outputsPerPod())));
  });

  // The workflow's tarball comes from a server that sends its headers and then nothing.
  test("timeouts.initialization ends a run still fetching its content, naming the timeout", async () => {
    const hung = new Set<ServerResponse>();
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/gzip" });
      res.write(Buffer.from([0x1f, 0x8b]));
      hung.add(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const run = await fx.run(
        "init-timeout",
        workflowDoc(
          "init-timeout",
          `  timeouts:
    initialization: 2s
  content:
    tarball: [{url: "http://127.0.0.1:${port}/src.tgz", path: /data/src}]
  steps:
  - name: never
    shell: echo should-not-run
`,
        ),
      );
      assert.equal(run.status, "timeout", run.log);
      assert.equal(
        run.message,
        "timeouts.initialization (2s) elapsed before the first step started: still fetching the content of the workflow",
      );
      assert.match(run.log, /\[assay\] error: timeouts\.initialization \(2s\) elapsed/);
      assert.doesNotMatch(run.log, /should-not-run/);
      assert.notEqual(step(run, "never").status, "passed");
      // A run that starts its first step in time is not affected by the timeout.
      const inTime = "  timeouts:\n    initialization: 1m\n  steps:\n  - shell: echo started in time\n";
      const quick = await fx.run("init-in-time", workflowDoc("init-in-time", inTime));
      assert.equal(quick.status, "passed", quick.log);
      assert.match(quick.log, /started in time/);
    } finally {
      for (const res of hung) res.destroy();
      server.close();
    }
  });
});
