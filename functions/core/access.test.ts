/**
 * Core decides who may do what: use cases called directly (no HTTP, no route) refuse a principal
 * below the role before anything is stored, and an allowed action writes its audit record.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AppError, isAppError } from "@assay/shared";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { SLEEPY } from "../testing/sleepy-runs.ts";
import { authorize, internalPrincipal, type MemberPrincipal, type Principal } from "./access.ts";

const refusedWith = (code: AppError["code"]) => (error: unknown) => isAppError(error) && error.code === code;

describe("authorize", () => {
  const member = (role: MemberPrincipal["role"]): MemberPrincipal => ({
    kind: "user",
    userId: "u1",
    email: "u1@example.com",
    orgId: "acme",
    role,
  });

  test("members and API tokens go by ACTION_ROLES", () => {
    authorize(member("viewer"), "read", { orgId: "acme" });
    authorize(member("member"), "run", { orgId: "acme" });
    assert.throws(
      () => authorize(member("viewer"), "run", { orgId: "acme" }),
      refusedWith("permission_denied"),
    );
    assert.throws(
      () => authorize(member("admin"), "delete-org", { orgId: "acme" }),
      refusedWith("permission_denied"),
    );
  });

  test("another organization is not found, whatever the role", () => {
    assert.throws(() => authorize(member("owner"), "read", { orgId: "other" }), refusedWith("not_found"));
    assert.throws(
      () => authorize(internalPrincipal("acme", "t"), "read", { orgId: "other" }),
      refusedWith("not_found"),
    );
  });

  test("agents and schedules read and run in their own environment only", () => {
    const agent: Principal = { kind: "agent", orgId: "acme", envId: "dev", agentId: "a1" };
    const schedule: Principal = { kind: "schedule", orgId: "acme", envId: "dev", workflowName: "w" };
    for (const p of [agent, schedule]) {
      authorize(p, "run", { orgId: "acme", envId: "dev" });
      assert.throws(() => authorize(p, "run", { orgId: "acme", envId: "prod" }), refusedWith("not_found"));
      assert.throws(
        () => authorize(p, "edit-workflows", { orgId: "acme", envId: "dev" }),
        refusedWith("permission_denied"),
      );
      assert.throws(() => authorize(p, "manage-tokens", { orgId: "acme" }), refusedWith("permission_denied"));
    }
    authorize(internalPrincipal("acme", "cleanup"), "delete-org", { orgId: "acme" });
  });
});

describe("use cases called with a principal", () => {
  let plane: TestControlPlane;
  let viewer: MemberPrincipal;
  let member: MemberPrincipal;
  before(async () => {
    plane = await startTestControlPlane();
    const as = (role: MemberPrincipal["role"]): MemberPrincipal => ({
      kind: "user",
      userId: `u-${role}`,
      email: `${role}@example.com`,
      orgId: plane.orgId,
      role,
    });
    viewer = as("viewer");
    member = as("member");
    await plane.core.workflows.apply(
      internalPrincipal(plane.orgId, "test setup"),
      { orgId: plane.orgId, envId: plane.envId },
      "sleepy",
      SLEEPY,
    );
  });
  after(async () => {
    await plane?.stop();
  });

  const auditActions = async () =>
    (await plane.core.ports.tenancy.audit.list(plane.orgId, { limit: 100 })).items.map((e) => e.action);
  const executionCount = async () =>
    (await plane.core.ports.executions.list({ orgId: plane.orgId, envId: plane.envId }, {}, { limit: 100 }))
      .items.length;

  test("a viewer is refused and nothing is written", async () => {
    const { orgId, envId } = plane;
    const [runs, audited] = [await executionCount(), await auditActions()];
    const denied = refusedWith("permission_denied");
    await assert.rejects(
      plane.core.workflows.apply(viewer, { orgId, envId }, "fresh", SLEEPY.replace("sleepy", "fresh")),
      denied,
    );
    await assert.rejects(plane.core.workflows.delete(viewer, { orgId, envId }, "sleepy"), denied);
    await assert.rejects(
      plane.core.executions.start(viewer, { orgId, envId }, "sleepy", { config: {}, tags: {} }),
      denied,
    );
    let inputRead = false;
    const schedules = plane.core.workflowSchedules;
    assert.ok(schedules);
    await assert.rejects(
      schedules.add(viewer, { orgId, envId }, "sleepy", () => {
        inputRead = true;
        return { cron: "0 * * * *" };
      }),
      denied,
    );
    assert.equal(inputRead, false, "the input is not read for a caller who may not act");
    assert.equal(await plane.core.ports.workflows.get({ orgId, envId }, "fresh"), undefined);
    assert.ok(
      await plane.core.ports.workflows.get({ orgId, envId }, "sleepy"),
      "the workflow is still there",
    );
    assert.equal(await executionCount(), runs);
    assert.deepEqual(await auditActions(), audited);
    // Reading is what a viewer may do.
    assert.ok((await plane.core.workflows.list(viewer, { orgId, envId })).some((w) => w.name === "sleepy"));
  });

  test("an allowed deletion writes its audit record, naming the member", async () => {
    const { orgId, envId } = plane;
    const run = await plane.core.executions.start(member, { orgId, envId }, "sleepy", {
      config: {},
      tags: {},
    });
    assert.equal(run.startedBy?.kind, "user");
    await assert.rejects(
      plane.core.executions.delete(viewer, { orgId, envId, id: run.id }),
      refusedWith("permission_denied"),
    );
    await plane.core.executions.abort(member, { orgId, envId, id: run.id });
    await plane.core.executions.delete(member, { orgId, envId, id: run.id }, { ip: "192.0.2.7" });
    const events = (await plane.core.ports.tenancy.audit.list(orgId, { limit: 100 })).items;
    const deleted = events.find((e) => e.action === "execution.deleted" && e.target?.id === run.id);
    assert.ok(deleted, "execution.deleted is recorded");
    assert.deepEqual(deleted.actor, { kind: "user", id: member.userId, label: member.email });
    assert.equal(deleted.ip, "192.0.2.7");
    assert.deepEqual(deleted.details, { env: envId });
  });
});
