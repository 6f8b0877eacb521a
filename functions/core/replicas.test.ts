import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AGENT_LABEL } from "@assay/shared/workflow";
import { replicaTargets } from "./replicas.ts";

const agent = (id: string, labels: Record<string, string>) => ({ ...labels, [AGENT_LABEL]: id });

describe("replica targets", () => {
  const agents = [
    agent("a1", { region: "eu", tier: "ci" }),
    agent("a2", { region: "eu", tier: "ci" }),
    agent("a3", { region: "us", tier: "ci" }),
    agent("a4", { region: "us", tier: "spot" }),
    agent("a5", { tier: "ci" }),
  ];

  it("one per distinct value among matching agents, pinned on top of the base target", () => {
    const replicas = replicaTargets({ not: { tier: ["spot"] } }, ["region"], agents);
    assert.deepEqual(replicas, [
      { target: { match: { region: ["eu"] }, not: { tier: ["spot"] } }, labels: { region: "eu" } },
      { target: { match: { region: ["us"] }, not: { tier: ["spot"] } }, labels: { region: "us" } },
    ]);
  });

  it("`name` is each agent itself; several keys combine; no match gives none", () => {
    const named = replicaTargets({ match: { tier: ["ci"] } }, ["name"], agents);
    assert.deepEqual(
      named.map((r) => r.target.match?.[AGENT_LABEL]?.join()),
      ["a1", "a2", "a3", "a5"],
    );
    assert.deepEqual(named[0]?.target.match?.tier, ["ci"]);
    assert.equal(replicaTargets(undefined, ["region", "tier"], agents).length, 3);
    assert.deepEqual(replicaTargets({ match: { region: ["mars"] } }, ["region"], agents), []);
  });
});
