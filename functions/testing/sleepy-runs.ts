/**
 * Runs for protocol tests: a workflow that sleeps (so a run stays active as long as a test
 * needs), started through the API, and a cleanup that ends whatever a test left behind so the
 * next test starts with the plan's slots free.
 */
import assert from "node:assert/strict";
import { internalPrincipal } from "../core/access.ts";
import type { TestControlPlane } from "./harness.ts";

export const SLEEPY = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: sleepy
spec:
  steps:
    - name: wait
      shell: sleep 30
`;

/** Stores the `sleepy` workflow in the plane's environment. */
export async function putSleepy(plane: TestControlPlane) {
  const put = await plane.api(`${plane.envPath}/workflows/sleepy`, { method: "PUT", body: SLEEPY });
  assert.equal(put.status, 201, await put.text());
}

/** Starts a run of `sleepy` through the API; resolves with its id. */
export async function startSleepy(plane: TestControlPlane) {
  const res = await plane.api(`${plane.envPath}/workflows/sleepy/executions`, { method: "POST", body: "{}" });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { id: string }).id;
}

/** Cancels queued runs and ends active ones (as lost), freeing their holds. */
export async function settleRuns(plane: TestControlPlane) {
  const internal = internalPrincipal(plane.orgId, "test cleanup");
  const page = await plane.core.executions.list(
    internal,
    { orgId: plane.orgId, envId: plane.envId },
    {},
    { limit: 100 },
  );
  for (const e of page.items) {
    if (e.status === "queued")
      await plane.core.executions.abort(internal, { orgId: plane.orgId, envId: plane.envId, id: e.id });
    else await plane.core.work.markLost({ orgId: plane.orgId, envId: plane.envId, id: e.id }, "test over");
  }
}
