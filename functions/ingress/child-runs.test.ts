/**
 * `execute` children on a real local control plane (DynamoDB Local): a child-start request
 * resent after a reconnect to a different ingress (two child-run handlers, each with its own
 * memory) starts each child once; a new request (a retried step) starts new ones.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PARENT_TAG } from "@assay/shared";
import type { ChildRunRequest, ControlMessage } from "@assay/shared/proto";
import { internalPrincipal } from "../core/access.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createChildRuns } from "./child-runs.ts";

const doc = (name: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: ${name}\nspec:\n  steps:\n  - shell: echo\n`;

describe("child runs across ingresses", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  test("a start request resent to another ingress starts each child once", async () => {
    const { orgId, envId } = plane;
    for (const name of ["suite", "child-a", "child-b"]) {
      const res = await plane.api(`${plane.envPath}/workflows/${name}`, {
        method: "PUT",
        body: doc(name),
        headers: { "content-type": "application/yaml" },
      });
      assert.ok(res.status === 201 || res.status === 200, await res.text());
    }
    const internal = internalPrincipal(orgId, "test");
    const parent = await plane.core.executions.start(internal, { orgId, envId }, "suite", {
      config: {},
      tags: {},
    });
    const agentId = "agent-suite";
    const [claimed] = await plane.core.work.claim(
      { orgId, envId },
      agentId,
      1,
      new Set(),
      (e) => e.id === parent.id,
    );
    assert.equal(claimed?.id, parent.id);
    await plane.core.work.started({ orgId, envId, id: parent.id }, agentId, Date.now());
    const ingress = () =>
      createChildRuns({
        executions: plane.core.executions,
        workflows: plane.core.workflows,
        work: plane.core.work,
        logger: plane.logger,
      });
    const link = { agent: { orgId, envId, agentId }, waiting: () => {} };
    const request = (requestId: string): ChildRunRequest => ({
      requestId,
      executionId: parent.id,
      stepRef: "r1",
      start: ["child-a", "child-b"].map((workflowName) => ({
        workflowName,
        selector: {},
        config: {},
        tags: {},
        executionName: "",
        targetMatch: [],
        targetNot: [],
      })),
      watch: [],
      abort: [],
      waiting: false,
    });
    const ask = async (handler: ReturnType<typeof ingress>, req: ChildRunRequest) => {
      const sent: ControlMessage[] = [];
      await handler.handle(link, req, (m) => sent.push(m));
      const kind = sent[0]?.kind;
      assert.equal(kind?.$case, "childRunResponse");
      const response = kind?.$case === "childRunResponse" ? kind.value : undefined;
      assert.equal(response?.error, "");
      return response?.children.map((c) => c.executionId) ?? [];
    };
    const first = await ask(ingress(), request("req-1"));
    const resent = await ask(ingress(), request("req-1"));
    assert.equal(first.length, 2);
    assert.deepEqual(resent, first, "the other ingress answers the children already started");
    const children = async () =>
      (
        await plane.core.executions.list(
          internal,
          { orgId, envId },
          { tags: { [PARENT_TAG]: parent.id } },
          { limit: 50 },
        )
      ).items.map((e) => e.id);
    assert.deepEqual((await children()).sort(), [...first].sort());
    const retried = await ask(ingress(), request("req-2"));
    assert.equal(retried.filter((id) => first.includes(id)).length, 0, "a new request starts new children");
    assert.equal((await children()).length, 4);
    for (const id of [...first, ...retried])
      await plane.core.executions.abort(internal, { orgId, envId, id });
  });
});
