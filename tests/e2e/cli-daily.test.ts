/**
 * The CLI a team uses every day, end to end against a real control plane and a real agent
 * (host processes): `run --watch` with step headers and a summary (run number, JUnit totals,
 * dashboard link), the dashboard's short ids and WORKFLOW#NUMBER wherever an execution is
 * taken, `--step` by name, `rerun`, `execution delete` with its refusals, and `-o json|yaml`.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";

const DAILY = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: daily
spec:
  config:
    target: {type: string, default: "https://example.test"}
  steps:
    - name: build
      shell: echo "building run number {{ execution.number }} for {{ config.target }}"
    - name: test
      shell: |
        mkdir -p /data/reports
        cat > /data/reports/junit.xml <<'EOF'
        <testsuite name="daily"><testcase name="a" classname="d"/><testcase name="b" classname="d"/><testcase name="c" classname="d"><skipped/></testcase></testsuite>
        EOF
        echo tests written
      artifacts:
        workingDir: /data/reports
        paths: ["*.xml"]
`;

const SLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: slow
spec:
  steps:
    - name: wait
      shell: sleep 60
`;

interface ExecutionJson {
  id: string;
  number?: number;
  status: string;
  rerunOf?: string;
  config: Record<string, string>;
  startedBy?: { kind: string; id: string; name?: string };
  steps: Array<{ ref: string; name: string }>;
}

describe("the daily CLI, end to end", () => {
  let stack: AgentStack;
  const cli = (args: string[], env?: NodeJS.ProcessEnv) => stack.cli(args, env);
  const shortId = (id: string) => id.slice(-8).toLowerCase();
  let first: ExecutionJson;

  before(async () => {
    stack = await startAgentStack({ prefix: "assay-e2e-daily", runtime: "process" });
    await stack.put("daily", DAILY);
    await stack.put("slow", SLOW);
  });
  after(async () => {
    await stack?.stop();
  });

  test("run --watch prints step headers, then the run number, JUnit totals and the dashboard link", async () => {
    const run = await cli(["run", "daily", "--watch", "--config", "target=https://staging.test"]);
    const all = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nagent:\n${stack.agentOutput().slice(-3000)}`;
    assert.equal(run.code, 0, all);
    assert.match(run.stdout, /^── build \(r\d+\)\nbuilding run number 1 for https:\/\/staging\.test\n/m, all);
    assert.match(run.stdout, /^── test \(r\d+\)\ntests written\n/m, all);
    const [, id] = /execution (\S+) passed/.exec(run.stderr) ?? [];
    assert.ok(id, all);
    assert.match(run.stderr, /^ {2}run {7}daily #1$/m);
    assert.match(run.stderr, /^ {2}duration {2}\S+/m);
    assert.match(run.stderr, /^ {2}tests {5}2 passed, 1 skipped \(3 tests\)$/m, all);
    assert.match(run.stderr, /^ {2}steps {5}2 passed$/m);
    assert.ok(
      run.stderr.includes(
        `  dashboard ${stack.plane.apiUrl}/orgs/${stack.plane.orgId}/envs/${stack.plane.envId}/executions/${id}`,
      ),
      all,
    );
    first = JSON.parse((await cli(["execution", "get", id, "-o", "json"])).stdout) as ExecutionJson;
    assert.equal(first.number, 1);
    assert.equal(first.startedBy?.kind, "api");
  });

  test("short ids and WORKFLOW#NUMBER are accepted; get shows refs, run number, starter and tests", async () => {
    const got = await cli(["execution", "get", shortId(first.id)]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, new RegExp(`^Execution: +${first.id}$`, "m"));
    assert.match(got.stdout, /^Run: +#1$/m);
    assert.match(got.stdout, /^Started by: +token local owner$/m);
    assert.match(got.stdout, /^Tests: +2 passed, 1 skipped \(3 tests\)$/m);
    assert.match(got.stdout, /✔ r\d+ {2}build \(passed/);
    const hashed = await cli(["execution", "get", `#${shortId(first.id).toUpperCase()}`, "-o", "json"]);
    assert.equal((JSON.parse(hashed.stdout) as ExecutionJson).id, first.id);
    const numbered = await cli(["execution", "get", "daily#1", "-o", "yaml"]);
    assert.equal(numbered.code, 0, numbered.stderr);
    assert.equal((parseYaml(numbered.stdout) as ExecutionJson).id, first.id);
    const artifacts = await cli(["artifacts", shortId(first.id), "-o", "json"]);
    assert.deepEqual(
      (JSON.parse(artifacts.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path),
      ["junit.xml"],
    );

    const unknown = await cli(["execution", "get", "zzzzzzzz"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no execution with short id zzzzzzzz: use the full id/);
    const noRun = await cli(["logs", "daily#99"]);
    assert.equal(noRun.code, 2);
    assert.match(noRun.stderr, /workflow daily has no run #99/);
    const junk = await cli(["abort", "not-an-id"]);
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /"not-an-id" is not an execution id/);
  });

  test("logs --step takes a step name or ref; an unknown step is an error naming the steps", async () => {
    const byName = await cli(["logs", shortId(first.id), "--step", "build"]);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /building run number 1/);
    assert.doesNotMatch(byName.stdout, /tests written/);
    const ref = first.steps.find((s) => s.name === "test")?.ref ?? "";
    const byRef = await cli(["logs", first.id, "--step", ref, "-o", "json"]);
    assert.equal(byRef.code, 0, byRef.stderr);
    const body = JSON.parse(byRef.stdout) as {
      executionId: string;
      step: string;
      log: string;
      segments: Array<{ step: string; stream: string; text: string }>;
    };
    assert.deepEqual(Object.keys(body).sort(), ["executionId", "log", "segments", "step"]);
    // The segments say which stream wrote each part; together they are the log.
    assert.equal(body.segments.map((s) => s.text).join(""), body.log);
    for (const segment of body.segments) {
      assert.equal(segment.step, ref);
      assert.match(segment.stream, /^std(out|err)$/);
    }
    assert.equal(body.executionId, first.id);
    assert.equal(body.step, ref);
    assert.match(body.log, /^tests written\n/);
    assert.doesNotMatch(body.log, /building/);
    const missing = await cli(["logs", first.id, "--step", "deploy"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "");
    assert.match(missing.stderr, /has no step "deploy"; its steps: r\d+ \(build\), r\d+ \(test\)/);
  });

  test("rerun repeats the run with its config, takes the next number and links back", async () => {
    const rerun = await cli(["rerun", shortId(first.id), "--watch"]);
    assert.equal(rerun.code, 0, `${rerun.stdout}\n${rerun.stderr}`);
    assert.match(rerun.stdout, /building run number 2 for https:\/\/staging\.test/);
    assert.match(rerun.stderr, /^ {2}run {7}daily #2$/m);
    const again = JSON.parse(
      (await cli(["execution", "get", "daily#2", "-o", "json"])).stdout,
    ) as ExecutionJson;
    assert.equal(again.rerunOf, first.id);
    assert.equal(again.config.target, "https://staging.test");
    const text = await cli(["execution", "get", "daily#2"]);
    assert.match(text.stdout, new RegExp(`^Re-run of: +${first.id}$`, "m"));
    const list = await cli(["execution", "list", "--workflow", "daily"]);
    assert.match(list.stdout, /^ID\s+RUN\s+STATUS\s+CREATED\s+DURATION\s+STARTED BY$/m);
    assert.match(list.stdout, /daily #2\s+passed/);
    const queued = await cli(["rerun", first.id, "-o", "json"]);
    assert.equal(queued.code, 0, queued.stderr);
    const third = JSON.parse(queued.stdout) as ExecutionJson;
    assert.equal(third.number, 3);
    assert.equal(third.rerunOf, first.id);
    await stack.finished(third.id);
  });

  test("execution delete removes a finished run; running ones and viewers are refused", async () => {
    const viewer = await stack.plane.core.tokens.issue({
      kind: "api",
      name: "read only",
      orgId: stack.plane.orgId,
      role: "viewer",
    });
    const asViewer = await cli(["execution", "delete", "daily#3"], {
      ...stack.cliEnv(),
      ASSAY_TOKEN: viewer.secret,
    });
    assert.equal(asViewer.code, 2);
    assert.match(asViewer.stderr, /the token was refused \(HTTP 403: the viewer role cannot run\)/);

    const running = await cli(["run", "slow", "-o", "json"]);
    const slow = JSON.parse(running.stdout) as ExecutionJson;
    const refused = await cli(["execution", "delete", slow.id]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /abort it first/);
    assert.equal((await cli(["abort", slow.id])).code, 0);
    await stack.finished(slow.id);

    const deleted = await cli(["execution", "delete", "daily#3", "-o", "json"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const { id } = JSON.parse(deleted.stdout) as { id: string };
    assert.deepEqual(JSON.parse(deleted.stdout), { kind: "execution", id, action: "deleted" });
    const gone = await cli(["execution", "get", id]);
    assert.equal(gone.code, 2);
    assert.match(gone.stderr, /was not found/);
  });

  test("-o json and -o yaml print the same shapes: lists as items, actions as kind/id/action", async () => {
    const json = JSON.parse((await cli(["workflow", "list", "-o", "json"])).stdout) as {
      items: Array<{ name: string }>;
    };
    const yaml = parseYaml((await cli(["workflow", "list", "-o", "yaml"])).stdout) as typeof json;
    assert.deepEqual(yaml, json);
    const names = json.items.map((w) => w.name);
    assert.ok(names.includes("daily") && names.includes("slow"), names.join(", "));
    const executions = JSON.parse((await cli(["execution", "list", "-o", "json"])).stdout) as {
      items: ExecutionJson[];
    };
    assert.ok(executions.items.length >= 3);
    const removed = await cli(["workflow", "delete", "slow", "-o", "yaml"]);
    assert.deepEqual(parseYaml(removed.stdout), { kind: "workflow", id: "slow", action: "deleted" });
    const bad = await cli(["workflow", "list", "-o", "xml"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /-o must be one of text, json, yaml/);
  });
});
