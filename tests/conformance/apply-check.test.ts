/**
 * Honest apply and delete through the real CLI, API and a connected agent: `apply` prints what
 * the environment's runtime would refuse, `plan` / `apply --dry-run` print the step tree and
 * store nothing, `delete` removes the workflow and its schedules while its executions stay.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";
import { workflowDoc } from "./agent-fixture.ts";

describe("apply checks and delete (real CLI, API and agent)", () => {
  let stack: AgentStack;
  before(async () => {
    stack = await startAgentStack({ prefix: "assay-apply-check" });
  });
  after(async () => {
    await stack?.stop();
  });

  const file = (name: string, yaml: string) => {
    const path = join(stack.dir, `${name}.yaml`);
    writeFileSync(path, yaml);
    return path;
  };
  const secretStep = `  steps:
  - name: login
    shell: echo "$TOKEN"
    container:
      env:
      - name: TOKEN
        valueFrom: {secretKeyRef: {name: creds, key: token}}
  - name: group
    steps:
    - name: inner
      run: {image: alpine}
`;

  test("apply stores the workflow and prints the process runtime's refusal at its path", async () => {
    const path = file("needs-secret", workflowDoc("needs-secret", secretStep));
    const applied = await stack.cli(["workflow", "apply", "-f", path]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /workflow needs-secret applied/);
    assert.match(
      applied.stderr,
      /refused: process runtime: spec\.steps\[1\]\.steps\[0\]\.run: the step runs the default entrypoint of image alpine/,
    );
    // A secret reference is a credential the agent fetches when the run starts: not refused.
    assert.doesNotMatch(applied.stderr, /valueFrom/);
    const res = await stack.plane.api(`${stack.plane.envPath}/workflows/needs-secret`);
    assert.equal(res.status, 200);
  });

  // Testkube's cloud-ui-e2e derives its API address from the dashboard's: Testkube's at() fails
  // when dashboard.url has no "app-", and so do the apply check and the run, naming the value.
  test("an expression over dashboard.url is checked at apply with the dashboard's own address", async () => {
    const api = `{{ join(list(at(split(dashboard.url, "app-"), 0), at(split(dashboard.url, "app-"), 1)), "api-") }}`;
    const yaml = workflowDoc(
      "api-from-dashboard",
      `  container:\n    env:\n    - name: CLOUD_API_URL\n      value: '${api}'\n  steps:\n  - shell: echo "$CLOUD_API_URL"\n`,
    );
    const applied = await stack.cli(["workflow", "apply", "-f", file("api-from-dashboard", yaml)]);
    assert.equal(applied.code, 0, applied.stderr);
    const url = JSON.stringify(stack.plane.core.tenancy.settings.publicWebUrl.replace(/\/+$/, ""));
    const why = `at(): index 1 is out of bounds of [${url}] (length 1; Testkube's at() fails on it too)`;
    assert.ok(
      applied.stderr.includes(`refused: process runtime: spec.container.env[0].value: ${why}`),
      applied.stderr,
    );
    const id = await stack.start("api-from-dashboard");
    const finished = await stack.finished(id);
    assert.equal(finished.status, "failed");
    assert.ok((await stack.log(id)).includes(why), await stack.log(id));
  });

  test("plan and apply --dry-run print the step tree and the verdict, and store nothing", async () => {
    const path = file("dry", workflowDoc("dry", secretStep));
    for (const args of [
      ["workflow", "plan", "-f", path],
      ["workflow", "apply", "--dry-run", "-f", path],
    ]) {
      const out = await stack.cli(args);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /^steps:\n {2}r1 login\n {2}r2 group\n {4}r2\.1 inner\n/m);
      assert.match(
        out.stdout,
        /process runtime \(1 agent\): will not run\n {2}refused: spec\.steps\[1\]\.steps\[0\]\.run: /,
      );
      assert.match(out.stdout, /workflow dry checked \(not applied\)/);
    }
    const res = await stack.plane.api(`${stack.plane.envPath}/workflows/dry`);
    assert.equal(res.status, 404, "a dry run stores nothing");
    const json = await stack.cli(["workflow", "plan", "-f", path, "-o", "json"]);
    const body = JSON.parse(json.stdout) as {
      dryRun: boolean;
      check: { runtimes: Array<{ runtime: string; agents: number }> };
    };
    assert.equal(body.dryRun, true);
    assert.deepEqual(
      body.check.runtimes.map((r) => [r.runtime, r.agents]),
      [["process", 1]],
    );
  });

  test("delete removes the workflow and its schedules; its executions stay readable", async () => {
    const yaml = workflowDoc(
      "doomed",
      `  events:\n  - cronjob: {cron: "0 3 * * *"}\n  steps:\n  - name: hello\n    shell: echo hello-doomed\n`,
    );
    const applied = await stack.cli(["workflow", "apply", "-f", file("doomed", yaml)]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /applied/);
    assert.doesNotMatch(applied.stderr, /refused/);
    const id = await stack.start("doomed");
    const finished = await stack.finished(id);
    assert.equal(finished.status, "passed");
    const schedules = stack.plane.core.ports.schedules;
    assert.ok(schedules, "the test plane keeps schedules");
    const scheduled = async () => (await schedules.list()).some((s) => s.workflowName === "doomed");
    assert.equal(await scheduled(), true);

    const deleted = await stack.cli(["workflow", "delete", "doomed"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /workflow doomed deleted/);
    assert.equal((await stack.plane.api(`${stack.plane.envPath}/workflows/doomed`)).status, 404);
    assert.equal(await scheduled(), false, "its cron schedule is gone");
    const kept = await stack.getExecution(id);
    assert.equal(kept.status, "passed", "the execution stays readable");
    assert.match(await stack.log(id), /hello-doomed/);

    const again = await stack.cli(["workflow", "delete", "doomed"]);
    assert.equal(again.code === 0, false);
    assert.match(again.stderr, /not found/);
  });
});
