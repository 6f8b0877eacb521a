/**
 * The JobQueue contract. A queue is write-only through the port, so the factory also returns a
 * way to receive what was sent to one kind (for SQS: a receive on that kind's queue).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, describe, test } from "node:test";
import type { Job, JobKind, JobQueue } from "../ports.ts";
import { appError } from "./fixtures.ts";

export interface JobQueueHarness {
  queue: JobQueue;
  /** Everything currently waiting for this kind (consuming it), in any order. */
  drain(kind: JobKind): Promise<Job[]>;
}

/** Registers the JobQueue cases under `name`; `make` is called once, before the cases. */
export const runJobQueueContract = (
  name: string,
  make: () => JobQueueHarness | Promise<JobQueueHarness>,
): void => {
  describe(`JobQueue contract: ${name}`, () => {
    let harness: JobQueueHarness;
    before(async () => {
      harness = await make();
    });

    test("each job arrives on its own kind's queue with its payload", async () => {
      const id = randomBytes(4).toString("hex");
      const cleanup: Job = { kind: "cleanup", id: `ex-${id}`, payload: { orgId: "acme", envId: "staging" } };
      const compact: Job = { kind: "compact-logs", id: `ex-${id}`, payload: { executionId: id } };
      await harness.queue.send(cleanup);
      await harness.queue.send(compact);
      assert.deepEqual(await harness.drain("cleanup"), [cleanup]);
      assert.deepEqual(await harness.drain("compact-logs"), [compact]);
    });

    test("invalid jobs are refused with invalid_argument and nothing is sent", async () => {
      const send = (job: unknown) => harness.queue.send(job as Job);
      await assert.rejects(send({ kind: "explode", id: "1", payload: {} }), appError("invalid_argument"));
      await assert.rejects(send({ kind: "cleanup", id: "", payload: {} }), appError("invalid_argument"));
      await assert.rejects(
        send({ kind: "cleanup", id: "1", payload: { n: 1 } }),
        appError("invalid_argument"),
      );
      assert.deepEqual(await harness.drain("cleanup"), []);
    });
  });
};
