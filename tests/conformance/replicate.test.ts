/**
 * `spec.execution.target.replicate` with two real agents (`region=eu`, `region=us`) on a real
 * local control plane: the run is started once per agent group, each execution pinned to its
 * group and linked by `replicaGroup` and the tag `assay.io/replicas=<first id>` (listed by the
 * API and the CLI); with no matching agent online the run waits, once, saying why.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AgentFixture, startAgentFixture, workflowDoc } from "./agent-fixture.ts";

interface View {
  id: string;
  status: string;
  agentId?: string;
  replicaGroup?: string;
  target?: { match?: Record<string, string[]> };
  warnings: string[];
  waiting?: string;
}

const replicated = (name: string, target: string) =>
  workflowDoc(name, `  execution:\n    target:\n${target}  steps:\n  - shell: echo replica ran\n`);

describe("execution.target.replicate (two real agents)", () => {
  let fx: AgentFixture;
  const view = async (id: string) =>
    (await (await fx.plane.api(`${fx.plane.envPath}/executions/${id}`)).json()) as View;
  const replicasOf = async (id: string) =>
    (
      (await (await fx.plane.api(`${fx.plane.envPath}/executions?tag=assay.io/replicas=${id}`)).json()) as {
        items: View[];
      }
    ).items;
  before(async () => {
    fx = await startAgentFixture("process", ["--label", "region=eu", "--label", "tier=ci"]);
    await fx.stack.addAgent(["--label", "region=us", "--label", "tier=ci"]);
    // Replicas are chosen among the agents whose presence is recorded as online.
    await fx.stack.waitFor("both agents online", async () =>
      (await fx.plane.core.presence.list(fx.plane.orgId, fx.plane.envId)).filter((p) => !p.disconnectedAt)
        .length === 2
        ? true
        : undefined,
    );
  });
  after(async () => {
    await fx?.stop();
  });

  test("one execution per label value, pinned and linked; the API and CLI list them", async () => {
    await fx.put(
      "workflows",
      "per-region",
      replicated("per-region", "      match:\n        tier: [ci]\n      replicate: [region]\n"),
    );
    const first = await fx.stack.start("per-region");
    const replicas = await replicasOf(first);
    assert.equal(replicas.length, 2);
    assert.ok(replicas.every((r) => r.replicaGroup === first));
    assert.deepEqual(replicas.map((r) => r.target?.match?.region?.join()).sort(), ["eu", "us"]);
    const finals = await Promise.all(replicas.map((r) => fx.stack.finished(r.id)));
    assert.deepEqual(
      finals.map((f) => f.status),
      ["passed", "passed"],
    );
    const agents = new Set(finals.map((f) => (f as unknown as View).agentId));
    assert.equal(agents.size, 2, "each replica ran on the agent of its region");
    const got = await fx.stack.cli(["execution", "get", first]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(
      got.stdout,
      new RegExp(`^Replicas: +of ${first} \\(--tag assay\\.io/replicas=${first}\\)$`, "m"),
    );
    const listed = await fx.stack.cli(["execution", "list", "--tag", `assay.io/replicas=${first}`]);
    assert.equal(listed.code, 0, listed.stderr);
    for (const r of replicas) assert.match(listed.stdout, new RegExp(r.id));
  });

  test("replicate: [name] runs once on every matching agent", async () => {
    await fx.put("workflows", "per-agent", replicated("per-agent", "      replicate: [name]\n"));
    const first = await fx.stack.start("per-agent");
    const replicas = await replicasOf(first);
    assert.equal(replicas.length, 2);
    const finals = await Promise.all(replicas.map((r) => fx.stack.finished(r.id)));
    assert.ok(finals.every((f) => f.status === "passed"));
    assert.equal(new Set(finals.map((f) => (f as unknown as View).agentId)).size, 2);
  });

  test("with no matching agent online the run waits once, saying why", async () => {
    await fx.put(
      "workflows",
      "per-mars",
      replicated("per-mars", "      match:\n        region: [mars]\n      replicate: [region]\n"),
    );
    const id = await fx.stack.start("per-mars");
    const queued = await view(id);
    assert.equal(queued.status, "queued");
    assert.equal(queued.replicaGroup, undefined);
    assert.match(
      queued.warnings.join("\n"),
      /replicate \(region\): no online agent matches yet; the run waits for one and runs once/,
    );
    assert.match(
      queued.waiting ?? "",
      /waiting for an agent matching region=mars: none of the 2 online agents/,
    );
    assert.equal(
      (await fx.plane.api(`${fx.plane.envPath}/executions/${id}/abort`, { method: "POST" })).status,
      202,
    );
  });
});
