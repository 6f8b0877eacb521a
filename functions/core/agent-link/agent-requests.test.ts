/**
 * Ownership of the agent's requests about an execution, on a real local control plane
 * (DynamoDB Local): credentials are released to the agent that holds the execution (assigned or
 * running), children are started, watched and aborted only for a parent running on the asking
 * agent, and only executions that record the parent count as its children.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Execution } from "@assay/shared";
import { startTestControlPlane, type TestControlPlane } from "../../testing/harness.ts";
import { internalPrincipal } from "../access.ts";
import type { CredentialRelease } from "./credential-release.ts";

const doc = (name: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: ${name}\nspec:\n  steps:\n  - shell: echo\n`;

describe("ownership of an agent's credential and child requests", () => {
  let plane: TestControlPlane;
  let release: CredentialRelease;
  before(async () => {
    plane = await startTestControlPlane();
    const configured = plane.core.credentialRelease;
    assert.ok(configured, "the local control plane has a credential store");
    release = configured;
    const res = await plane.api(`${plane.envPath}/workflows/parent`, {
      method: "PUT",
      body: doc("parent"),
      headers: { "content-type": "application/yaml" },
    });
    assert.ok(res.status === 201 || res.status === 200, await res.text());
  });
  after(async () => {
    await plane?.stop();
  });

  const agent = (agentId: string) => ({ orgId: plane.orgId, envId: plane.envId, agentId });
  const wanted = { names: ["API_KEY"], prefixes: [] };

  /** A run of `parent` claimed by `agentId` (assigned, not started). */
  const claimedBy = async (agentId: string): Promise<Execution> => {
    const { orgId, envId } = plane;
    const run = await plane.core.executions.start(
      internalPrincipal(orgId, "test"),
      { orgId, envId },
      "parent",
      {
        config: {},
        tags: {},
      },
    );
    const [claimed] = await plane.core.work.claim(
      { orgId, envId },
      agentId,
      1,
      new Set(),
      (e) => e.id === run.id,
    );
    assert.equal(claimed?.id, run.id);
    return claimed;
  };

  test("an assigned execution: credentials for its agent only; no children until it runs", async () => {
    const run = await claimedBy("agent-a");
    assert.deepEqual(await release.release(agent("agent-a"), run.id, wanted), { values: [] });
    assert.deepEqual(await release.release(agent("agent-b"), run.id, wanted), {
      refusal: `execution ${run.id} is not running on this agent`,
    });
    assert.deepEqual(await plane.core.children.parent(agent("agent-a"), run.id), {
      refusal: `execution ${run.id} is not running on this agent`,
    });
  });

  test("a running parent: its agent may ask about children, another agent may not", async () => {
    const run = await claimedBy("agent-a");
    await plane.core.work.started(run, "agent-a", Date.now());
    const asked = await plane.core.children.parent(agent("agent-a"), run.id);
    assert.ok("parent" in asked, JSON.stringify(asked));
    assert.equal(asked.parent.status, "running");
    assert.deepEqual(await plane.core.children.parent(agent("agent-b"), run.id), {
      refusal: `execution ${run.id} is not running on this agent`,
    });
    // An execution that does not record the parent is not its child: it is neither read nor aborted.
    const other = await claimedBy("agent-c");
    const answer = {
      executionId: other.id,
      workflowName: "",
      status: "",
      message: `execution ${other.id} is not a child of ${run.id}`,
      retry: false,
    };
    assert.deepEqual(await plane.core.children.watch(agent("agent-a"), run.id, other.id), answer);
    assert.deepEqual(await plane.core.children.abort(agent("agent-a"), run.id, other.id), answer);
    assert.equal((await plane.core.work.get(other))?.status, "assigned");
  });

  test("a finished execution: no credentials and no children, even for the agent that ran it", async () => {
    const run = await claimedBy("agent-a");
    await plane.core.work.started(run, "agent-a", Date.now());
    await plane.core.work.finish(run, "agent-a", { status: "passed", logBytes: 0, steps: [] });
    const refusal = { refusal: `execution ${run.id} is not running on this agent` };
    assert.deepEqual(await release.release(agent("agent-a"), run.id, wanted), refusal);
    assert.deepEqual(await plane.core.children.parent(agent("agent-a"), run.id), refusal);
  });
});
