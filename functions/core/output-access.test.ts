/**
 * Log bytes and artifact bytes are authorized in core: a principal without access to the
 * execution's environment is refused by the read use cases themselves (no route in between),
 * while a viewer of the environment gets the bytes.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AppError, isAppError } from "@assay/shared";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { tgzOf } from "../testing/tarballs.ts";
import type { MemberPrincipal, Principal } from "./access.ts";
import { artifactPrefix, bundleKey } from "./artifacts.ts";
import { makeExecution } from "./contracts/fixtures.ts";
import type { ExecutionRef } from "./ports/refs.ts";

const refusedWith = (code: AppError["code"]) => (error: unknown) => isAppError(error) && error.code === code;

const collect = async (bytes: AsyncIterable<Uint8Array> | undefined) => {
  const parts: Uint8Array[] = [];
  for await (const part of bytes ?? []) parts.push(part);
  return Buffer.concat(parts);
};

describe("log and artifact bytes are read only by principals of the environment", () => {
  let plane: TestControlPlane;
  let ref: ExecutionRef;
  let viewer: MemberPrincipal;
  let outsiders: Array<[string, Principal]>;

  before(async () => {
    plane = await startTestControlPlane();
    const execution = makeExecution({ orgId: plane.orgId, envId: plane.envId }, { status: "passed" });
    await plane.core.ports.executions.create(execution);
    ref = { orgId: plane.orgId, envId: plane.envId, id: execution.id };
    await plane.core.logs.append(ref, {
      offset: 0,
      step: "s1",
      data: new TextEncoder().encode("secret line\n"),
    });
    await plane.core.ports.artifactBlobs.put(
      bundleKey(artifactPrefix(ref), "b1"),
      tgzOf([{ path: "report.txt", data: "secret file\n" }]),
    );
    const index = await plane.core.unpacker.unpack({
      orgId: ref.orgId,
      envId: ref.envId,
      executionId: ref.id,
      bundleId: "b1",
      stepRef: "s1",
    });
    assert.equal(index.status, "unpacked", index.reason);
    viewer = {
      kind: "user",
      userId: "u-viewer",
      email: "viewer@example.com",
      orgId: plane.orgId,
      role: "viewer",
    };
    outsiders = [
      [
        "an agent of another environment",
        { kind: "agent", orgId: plane.orgId, envId: "elsewhere", agentId: "a1" },
      ],
      [
        "a schedule of another environment",
        { kind: "schedule", orgId: plane.orgId, envId: "elsewhere", workflowName: "w" },
      ],
      ["an owner of another organization", { ...viewer, orgId: "other-org", role: "owner" }],
    ];
  });
  after(async () => {
    await plane?.stop();
  });

  test("a viewer of the environment reads the log and the artifact bytes", async () => {
    const { logReads, artifactReads } = plane.core;
    assert.equal((await logReads.text(viewer, ref)).data.toString(), "secret line\n");
    assert.equal((await logReads.tail(viewer, ref, 1)).data.toString(), "secret line\n");
    assert.equal((await logReads.range(viewer, ref, () => ({ suffix: 5 }))).data.toString(), "line\n");
    assert.equal((await logReads.segments(viewer, ref, () => ({}))).total, 12);
    const file = await artifactReads.file(viewer, ref, "report.txt");
    assert.equal((await collect(await file.open())).toString(), "secret file\n");
    assert.ok((await collect(await artifactReads.archive(viewer, ref))).includes("secret file\n"));
  });

  test("a principal without access to the environment is refused log bytes, as not found", async () => {
    const { logReads } = plane.core;
    for (const [who, principal] of outsiders) {
      const notFound = refusedWith("not_found");
      await assert.rejects(logReads.text(principal, ref), notFound, `${who}: text`);
      await assert.rejects(logReads.tail(principal, ref, 1), notFound, `${who}: tail`);
      await assert.rejects(
        logReads.range(principal, ref, () => ({ start: 0 })),
        notFound,
        `${who}: range`,
      );
      await assert.rejects(
        logReads.segments(principal, ref, () => ({})),
        notFound,
        `${who}: segments`,
      );
    }
  });

  test("a principal without access to the environment is refused artifact bytes, as not found", async () => {
    const { artifactReads } = plane.core;
    for (const [who, principal] of outsiders) {
      const notFound = refusedWith("not_found");
      await assert.rejects(artifactReads.file(principal, ref, "report.txt"), notFound, `${who}: file`);
      await assert.rejects(artifactReads.archive(principal, ref), notFound, `${who}: archive`);
      await assert.rejects(artifactReads.list(principal, ref), notFound, `${who}: list`);
      await assert.rejects(artifactReads.report(principal, ref), notFound, `${who}: report`);
    }
  });

  test("deferred input is read only once the caller is allowed", async () => {
    const [, outsider] = outsiders[0] ?? [];
    assert.ok(outsider);
    let read = false;
    const request = () => {
      read = true;
      return { start: 0 };
    };
    await assert.rejects(plane.core.logReads.range(outsider, ref, request), refusedWith("not_found"));
    assert.equal(read, false);
  });
});
