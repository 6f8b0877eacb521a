/**
 * Worker handlers invoked with SQS events shaped as Lambda delivers them (batches, redelivery,
 * a poison message), against the real log service on fauxqs.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ulid } from "ulid";
import { logPrefix } from "../core/logs.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createCleanupJob, createCompactLogsJob } from "./jobs.ts";
import { createSqsHandler, type SqsEvent } from "./sqs-handler.ts";

const record = (messageId: string, body: unknown, receiveCount = 1) => ({
  messageId,
  body: typeof body === "string" ? body : JSON.stringify(body),
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});

describe("worker jobs", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  const writeLog = async (executionId: string, parts: Array<[string, string]>) => {
    let offset = 0;
    for (const [step, text] of parts) {
      const data = new TextEncoder().encode(text);
      offset = await plane.core.logs.append(
        { orgId: plane.orgId, envId: plane.envId, id: executionId },
        { offset, step, data },
      );
    }
    return offset;
  };

  test("compaction keeps the bytes and the per-step view, and is idempotent on redelivery", async () => {
    const id = ulid();
    await writeLog(id, [
      ["r1", "\u001b[32mgreen\u001b[0m\n"],
      ["r2", "second step\n"],
      ["r1", "back to one\n"],
    ]);
    const before = await plane.core.logs.read({ orgId: plane.orgId, envId: plane.envId, id });
    const step1 = await plane.core.logs.read({ orgId: plane.orgId, envId: plane.envId, id }, { step: "r1" });
    const handler = createSqsHandler(
      "compact-logs",
      createCompactLogsJob({ logs: plane.core.logs }),
      plane.logger,
    );
    const job = {
      kind: "compact-logs",
      id,
      payload: { orgId: plane.orgId, envId: plane.envId, executionId: id },
    };
    const event: SqsEvent = { Records: [record("m1", job), record("m2", job, 2)] };
    assert.deepEqual(await handler(event), { batchItemFailures: [] });

    const keys = (
      await plane.core.ports.logBlobs.list(logPrefix({ orgId: plane.orgId, envId: plane.envId, id }))
    ).map((k) => k.key);
    assert.ok(
      keys.every((k) => !k.includes("/chunks/")),
      `chunks removed: ${keys.join(", ")}`,
    );
    assert.deepEqual(await plane.core.logs.read({ orgId: plane.orgId, envId: plane.envId, id }), before);
    assert.deepEqual(
      await plane.core.logs.read({ orgId: plane.orgId, envId: plane.envId, id }, { step: "r1" }),
      step1,
    );
    const tail = await plane.core.logs.segments({ orgId: plane.orgId, envId: plane.envId, id }, 5);
    assert.equal(Buffer.concat(tail.map((s) => s.data)).toString(), before.subarray(5).toString());
  });

  test("cleanup removes every object of the execution and leaves others alone", async () => {
    const gone = ulid();
    const kept = ulid();
    await writeLog(gone, [["r1", "bye\n"]]);
    await writeLog(kept, [["r1", "stay\n"]]);
    const artifactKey = `artifacts/${plane.orgId}/${plane.envId}/${gone}/report.xml`;
    await plane.core.ports.artifactBlobs.put(artifactKey, new TextEncoder().encode("<testsuite/>"));
    const handler = createSqsHandler(
      "cleanup",
      createCleanupJob({ logs: plane.core.logs, artifacts: plane.core.artifacts }),
      plane.logger,
    );
    const payload = { orgId: plane.orgId, envId: plane.envId, executionId: gone };
    const result = await handler({
      Records: [
        record("ok", { kind: "cleanup", id: gone, payload }),
        record("poison", "{not json"),
        record("wrong-kind", { kind: "compact-logs", id: gone, payload }),
        record("bad-payload", { kind: "cleanup", id: gone, payload: { orgId: plane.orgId } }),
        record("again", { kind: "cleanup", id: gone, payload }, 2),
      ],
    });
    assert.deepEqual(
      result.batchItemFailures.map((f) => f.itemIdentifier),
      ["poison", "wrong-kind", "bad-payload"],
    );
    assert.deepEqual(
      await plane.core.ports.logBlobs.list(logPrefix({ orgId: plane.orgId, envId: plane.envId, id: gone })),
      [],
    );
    assert.equal(await plane.core.ports.artifactBlobs.get(artifactKey), undefined);
    assert.equal(
      (await plane.core.logs.read({ orgId: plane.orgId, envId: plane.envId, id: kept })).toString(),
      "stay\n",
    );
  });
});
