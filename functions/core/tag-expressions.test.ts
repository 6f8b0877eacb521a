/**
 * Tag values with expressions (`spec.execution.tags` and run tags) on a real local control
 * plane: evaluated when the execution is created and stored as values, so lists filter by
 * them; a tag reading what only a runner knows is refused with 400, naming it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { internalPrincipal } from "./access.ts";

const doc = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: tagged
  labels: {team: qa}
spec:
  config:
    target: {type: string, default: staging}
  execution:
    tags:
      env: "{{ config.target }}"
      run: "{{ workflow.name }}-{{ execution.number }}"
      plain: literal
  steps:
  - shell: echo
`;

describe("tag expressions (control plane)", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });
  const run = (body: unknown) =>
    plane.api(`${plane.envPath}/workflows/tagged/executions`, { method: "POST", body: JSON.stringify(body) });

  test("are evaluated before they are stored; lists filter by the values", async () => {
    const put = await plane.api(`${plane.envPath}/workflows/tagged`, {
      method: "PUT",
      body: doc,
      headers: { "content-type": "application/yaml" },
    });
    assert.ok(put.status === 201 || put.status === 200, await put.text());
    const first = (await (await run({ config: { target: "prod" } })).json()) as {
      id: string;
      tags: Record<string, string>;
    };
    assert.deepEqual(first.tags, { env: "prod", run: "tagged-1", plain: "literal" });
    const second = (await (
      await run({ tags: { id: "{{ execution.id }}", who: "{{ config.target }}" } })
    ).json()) as {
      id: string;
      tags: Record<string, string>;
    };
    assert.deepEqual(second.tags, {
      env: "staging",
      run: "tagged-2",
      plain: "literal",
      id: second.id,
      who: "staging",
    });
    const listed = (await (await plane.api(`${plane.envPath}/executions?tag=env=prod`)).json()) as {
      items: Array<{ id: string }>;
    };
    assert.deepEqual(
      listed.items.map((e) => e.id),
      [first.id],
    );
    for (const id of [first.id, second.id])
      await plane.core.executions.abort(internalPrincipal(plane.orgId, "test cleanup"), {
        orgId: plane.orgId,
        envId: plane.envId,
        id,
      });
  });

  test("a tag that reads what only a runner knows is refused, naming it", async () => {
    const refused = await run({ tags: { bad: "{{ index }}" } });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /tag bad: /);
    const unknown = await run({ tags: { typo: "{{ confg.x }}" } });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /tag typo: .*confg/);
  });
});
