/**
 * `assay execution get` on a suite, end to end against a real control plane and a real agent
 * (host processes): a child started by an `execute` step names its parent and the step, shows
 * since when it is paused after `assay execution pause`, and the parent lists its children;
 * `-o json` and `-o yaml` carry the same fields (`pausedAt`, `parent`, `children`).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse as parseYaml } from "yaml";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";
import { SUITE, TICKER } from "../support/suite-workflows.ts";

interface Got {
  id: string;
  status: string;
  pausedAt?: string;
  parent?: { executionId: string; stepRef: string };
  children: Array<{ id: string; workflowName: string; number?: number; status: string; step?: string }>;
}

describe("execution get on a suite, end to end", () => {
  let stack: AgentStack;
  let parentId = "";
  let childId = "";
  const cli = (args: string[]) => stack.cli(args);
  const view = async (id: string) => (await stack.getExecution(id)) as unknown as Got;
  const got = async (id: string, format: "json" | "yaml"): Promise<Got> => {
    const out = await cli(["execution", "get", id, "-o", format]);
    assert.equal(out.code, 0, out.stderr);
    return (format === "json" ? JSON.parse(out.stdout) : parseYaml(out.stdout)) as Got;
  };

  before(async () => {
    stack = await startAgentStack({ prefix: "assay-e2e-suite", runtime: "process" });
    await stack.put("ticker", TICKER);
    await stack.put("suite", SUITE);
    parentId = await stack.start("suite");
    childId = await stack.waitFor("the child execution to run", async () => {
      const res = await stack.plane.api(
        `${stack.plane.envPath}/executions?tag=${encodeURIComponent(`assay.io/parent=${parentId}`)}`,
      );
      const [child] = ((await res.json()) as { items: Got[] }).items;
      return child?.status === "running" ? child.id : undefined;
    });
  });
  after(async () => {
    await stack?.stop();
  });

  test("a paused child says since when and names its parent and step, in text, JSON and YAML", async () => {
    const paused = await cli(["execution", "pause", childId]);
    assert.equal(paused.code, 0, paused.stderr);
    await stack.waitFor("the child to be paused", async () =>
      (await view(childId)).pausedAt ? true : undefined,
    );
    const text = await cli(["execution", "get", childId]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Paused: +since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m, text.stdout);
    assert.match(text.stdout, new RegExp(`^Parent: +${parentId} \\(step r\\w+\\)$`, "m"), text.stdout);
    assert.doesNotMatch(text.stdout, /^Started by:/m, "the parent line says it");
    const json = await got(childId, "json");
    const yaml = await got(childId, "yaml");
    assert.equal(json.parent?.executionId, parentId);
    assert.deepEqual(yaml.parent, json.parent);
    assert.equal(yaml.pausedAt, json.pausedAt);
    assert.deepEqual(json.children, []);
    assert.deepEqual(yaml.children, []);

    const resumed = await cli(["execution", "resume", childId]);
    assert.equal(resumed.code, 0, resumed.stderr);
    await stack.waitFor("the child to be resumed", async () =>
      (await view(childId)).pausedAt === undefined ? true : undefined,
    );
    assert.doesNotMatch((await cli(["execution", "get", childId])).stdout, /^Paused:/m);
  });

  test("the parent lists its child with status, run number and step, in text, JSON and YAML", async () => {
    const text = await cli(["execution", "get", parentId]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(`^Children:\\n {2}▶ ${childId} {2}ticker #1 \\(running, step r\\w+\\)$`, "m"),
    );
    const json = await got(parentId, "json");
    assert.equal(json.parent, undefined);
    assert.deepEqual(
      json.children.map((c) => [c.id, c.workflowName, c.number, c.status]),
      [[childId, "ticker", 1, "running"]],
    );
    assert.match(json.children[0]?.step ?? "", /^r\w+$/);
    assert.deepEqual((await got(parentId, "yaml")).children, json.children);

    // Done: the aborted child fails the parent's execute step.
    assert.equal((await cli(["abort", childId])).code, 0);
    assert.equal((await stack.finished(parentId)).status, "failed");
    const after = await cli(["execution", "get", parentId]);
    assert.match(after.stdout, new RegExp(`^ {2}■ ${childId} {2}ticker #1 \\(aborted, step r\\w+\\)$`, "m"));
  });
});
