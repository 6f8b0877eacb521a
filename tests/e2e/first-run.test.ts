/**
 * The first whole slice, end to end on the real pieces: a local control plane (DynamoDB Local,
 * fauxqs, TLS ingress, HTTP API, workers) and the real `assay` CLI as child processes, the
 * agent daemon included. Apply a workflow, run it, watch logs arrive live, fail, abort.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchAgent } from "../support/agent-process.ts";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";

describe("first run, end to end", () => {
  let stack: AgentStack;
  let plane: AgentStack["plane"];
  // Shorthands over the stack, as the tests below use them.
  const cli = (args: string[], env?: NodeJS.ProcessEnv) => stack.cli(args, env);
  const cliEnv = () => stack.cliEnv();
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000) =>
    stack.waitFor(what, probe, timeoutMs);

  const apply = async (name: string, yaml: string) => {
    const file = join(stack.dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    const result = await cli(["workflow", "apply", "-f", file]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
  };

  before(async () => {
    stack = await startAgentStack({ prefix: "assay-e2e" });
    plane = stack.plane;
  });

  after(async () => {
    await stack?.stop();
  });

  test("apply, run with --watch: logs stream live and the exit code is the result", async () => {
    await apply(
      "counting",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: counting
spec:
  steps:
    - name: count
      shell: |
        for i in 1 2 3 4 5; do echo "line $i"; sleep 0.3; done
    - name: nested
      steps:
        - name: inner
          run:
            command: [sh, -c]
            args: ["printf '\\\\033[31mred\\\\033[0m\\\\n'"]
`,
    );
    const list = await cli(["workflow", "list", "-o", "json"]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(JSON.stringify(JSON.parse(list.stdout)).includes("counting"));

    const run = await cli(["run", "counting", "--watch"]);
    assert.equal(
      run.code,
      0,
      `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nagent:\n${stack.agentOutput()}`,
    );
    for (let i = 1; i <= 5; i++) assert.match(run.stdout, new RegExp(`line ${i}`));
    assert.ok(run.stdout.includes("\u001b[31mred\u001b[0m"), "ANSI colours are preserved");

    const executions = await cli(["execution", "list", "--workflow", "counting", "-o", "json"]);
    const parsed = JSON.parse(executions.stdout) as {
      items: Array<{ id: string; status: string; logBytes: number }>;
    };
    const [execution] = parsed.items;
    assert.equal(execution?.status, "passed");
    const log = await (await plane.api(`${plane.envPath}/executions/${execution?.id}/logs`)).text();
    assert.equal(log.match(/^line \d$/gm)?.length, 5, "every line stored exactly once");
  });

  test("logs arrive while the execution is still running (SSE follow)", async () => {
    await apply(
      "slow",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: slow
spec:
  steps:
    - name: talk
      shell: echo first; sleep 2; echo second
`,
    );
    const res = await plane.api(`${plane.envPath}/workflows/slow/executions`, { method: "POST", body: "{}" });
    const { id } = (await res.json()) as { id: string };
    const follow = await plane.api(`${plane.envPath}/executions/${id}/logs`, {
      headers: { accept: "text/event-stream" },
    });
    assert.equal(follow.status, 200);
    const reader = follow.body?.getReader();
    assert.ok(reader);
    let text = "";
    let statusWhenFirstLine = "";
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!statusWhenFirstLine && text.includes("event: log")) {
        const current = (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as {
          status: string;
        };
        statusWhenFirstLine = current.status;
      }
      if (text.includes("event: end")) break;
    }
    assert.equal(statusWhenFirstLine, "running", "the first line arrived before the run finished");
    const logs = [...text.matchAll(/^data: (\{"offset".*\})$/gm)].map((m) =>
      Buffer.from((JSON.parse(m[1] ?? "{}") as { data: string }).data, "base64").toString(),
    );
    assert.equal(logs.join(""), "first\nsecond\n");
    assert.match(text, /event: end\ndata: \{"status":"passed"/);
  });

  test("a failing step fails the run with its exit code, and the CLI exits 1", async () => {
    await apply(
      "failing",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: failing
spec:
  steps:
    - name: boom
      shell: echo about to fail; exit 3
    - name: never
      shell: echo should not run
`,
    );
    const run = await cli(["run", "failing", "--watch"]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /about to fail/);
    assert.doesNotMatch(run.stdout, /should not run/);
    const list = JSON.parse(
      (await cli(["execution", "list", "--workflow", "failing", "-o", "json"])).stdout,
    ) as {
      items: Array<{ id: string }>;
    };
    const got = JSON.parse(
      (await cli(["execution", "get", list.items[0]?.id ?? "", "-o", "json"])).stdout,
    ) as {
      status: string;
      steps: Array<{ name: string; status: string; exitCode?: number }>;
    };
    assert.equal(got.status, "failed");
    assert.equal(got.steps.find((s) => s.name === "boom")?.exitCode, 3);
    assert.equal(got.steps.find((s) => s.name === "never")?.status, "skipped");
  });

  test("abort stops a running sleep", async () => {
    await apply(
      "sleeper",
      `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: sleeper
spec:
  steps:
    - name: nap
      shell: echo napping; sleep 60
`,
    );
    const res = await plane.api(`${plane.envPath}/workflows/sleeper/executions`, {
      method: "POST",
      body: "{}",
    });
    const { id } = (await res.json()) as { id: string };
    await waitFor("the run to start", async () => {
      const e = (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as {
        status: string;
        logBytes: number;
      };
      return e.status === "running" ? e : undefined;
    });
    const abortedAt = Date.now();
    const abort = await cli(["abort", id]);
    assert.equal(abort.code, 0, abort.stderr);
    const final = await waitFor("the run to be aborted", async () => {
      const e = (await (await plane.api(`${plane.envPath}/executions/${id}`)).json()) as {
        status: string;
        steps: Array<{ status: string }>;
      };
      return e.status === "aborted" ? e : undefined;
    });
    const tookMs = Date.now() - abortedAt;
    console.log(`abort took ${tookMs} ms from request to recorded status`);
    assert.equal(final.steps[0]?.status, "aborted");
    assert.ok(tookMs < 30_000, "the 60 s sleep was stopped, not waited out");
  });

  test("an invalid token is refused by the API and by the ingress", async () => {
    const api = await cli(["workflow", "list"], { ...cliEnv(), ASSAY_TOKEN: "asy_api_wrong" });
    assert.equal(api.code, 2);
    assert.match(api.stderr, /token/i);
    const bad = launchAgent({
      url: plane.ingressUrl,
      caFile: plane.caFile,
      stateDir: join(stack.dir, "bad-agent"),
      token: "asy_agent_wrong",
    });
    await waitFor("the refusal to be reported", async () =>
      /refused|unauthenticated|token/i.test(bad.output()) ? true : undefined,
    );
    bad.child.kill("SIGTERM");
    assert.equal(
      plane.gateway.agents({ orgId: plane.orgId, envId: plane.envId }).length,
      1,
      "only the real agent is connected",
    );
  });

  test("workflow list/get and template apply/list/get/delete from the CLI", async () => {
    await apply(
      "labelled",
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: labelled\n  labels:\n    team: qa\nspec:\n  steps:\n    - name: hi\n      shell: echo hi\n",
    );
    const listed = await cli(["workflow", "list", "--label", "team=qa"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^NAME\s+LABELS\s+UPDATED/m);
    assert.match(listed.stdout, /^labelled\s+team=qa\s/m);
    assert.doesNotMatch(listed.stdout, /^counting\s/m, "the label filter applies");
    const source = await cli(["workflow", "get", "labelled"]);
    assert.match(source.stdout, /shell: echo hi/);

    const file = join(stack.dir, "template.yaml");
    writeFileSync(
      file,
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflowTemplate\nmetadata:\n  name: official--greet\nspec:\n  steps:\n    - name: greet\n      shell: echo hello from a template\n",
    );
    const applied = await cli(["template", "apply", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    assert.match(applied.stdout, /template official--greet applied/);
    const templates = await cli(["template", "list", "-o", "json"]);
    assert.deepEqual(
      (JSON.parse(templates.stdout) as { items: Array<{ name: string }> }).items.map((t) => t.name),
      ["official--greet"],
    );
    // Testkube's `official/greet` spelling reaches the stored `official--greet`.
    assert.match((await cli(["template", "get", "official/greet"])).stdout, /hello from a template/);
    assert.equal((await cli(["template", "delete", "official/greet"])).code, 0);
    assert.match((await cli(["template", "list"])).stdout, /^no templates$/m);
    const missing = await cli(["template", "apply", "-f", join(stack.dir, "nope.yaml")]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read .*nope\.yaml: no such file/);
  });

  test("an invalid workflow gets a clear error naming the field", async () => {
    const file = join(stack.dir, "invalid.yaml");
    writeFileSync(
      file,
      "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: invalid\nspec:\n  steps:\n    - name: x\n      shell: [not, a, string]\n",
    );
    const result = await cli(["workflow", "apply", "-f", file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr + result.stdout, /steps\[0\]\.shell/);
    const res = await plane.api(`${plane.envPath}/workflows/invalid`, {
      method: "PUT",
      body: "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: invalid\nspec:\n  steps:\n    - name: x\n      shell: [not, a, string]\n",
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /steps\[0\]\.shell/);
  });
});
