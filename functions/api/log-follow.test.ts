/**
 * A bounded live follow (as behind a buffering gateway): the response closes without `end`
 * after `followMaxMs`, and a client resuming with Last-Event-ID gets exactly the bytes after
 * the last id it saw: no gap, no repeat.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { createApiApp } from "./app.ts";

const WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: follow
spec:
  steps:
    - name: talk
      shell: echo hi
`;

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
}

const parseSse = (text: string): SseEvent[] =>
  text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const event: SseEvent = {};
      for (const line of block.split("\n")) {
        const [field, ...rest] = line.split(": ");
        const value = rest.join(": ");
        if (field === "event" || field === "id" || field === "data") event[field] = value;
      }
      return event;
    });

const logText = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === "log")
    .map((e) => Buffer.from((JSON.parse(e.data ?? "{}") as { data: string }).data, "base64").toString())
    .join("");

describe("bounded log follow", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  test("closes after followMaxMs without `end`; Last-Event-ID resumes exactly", async () => {
    assert.equal(
      (await plane.api(`${plane.envPath}/workflows/follow`, { method: "PUT", body: WORKFLOW })).status,
      201,
    );
    const created = await plane.api(`${plane.envPath}/workflows/follow/executions`, {
      method: "POST",
      body: "{}",
    });
    const { id } = (await created.json()) as { id: string };
    const append = async (offset: number, text: string) =>
      plane.core.logs.append(plane.orgId, plane.envId, id, {
        offset,
        step: "r1",
        data: new TextEncoder().encode(text),
      });
    const first = await append(0, "one\ntwo\n");

    const app = createApiApp({
      ...plane.core,
      tenants: plane.core.ports.tenants,
      bus: plane.core.ports.bus,
      logger: plane.logger,
      followMaxMs: 300,
    });
    const follow = (lastEventId?: string) =>
      app.request(`${plane.envPath}/executions/${id}/logs`, {
        headers: {
          authorization: `Bearer ${plane.apiToken}`,
          accept: "text/event-stream",
          ...(lastEventId ? { "last-event-id": lastEventId } : {}),
        },
      });

    const firstEvents = parseSse(await (await follow()).text());
    assert.equal(logText(firstEvents), "one\ntwo\n");
    assert.ok(!firstEvents.some((e) => e.event === "end"), "the execution is still queued: no end");
    const lastId = firstEvents.filter((e) => e.id).at(-1)?.id;
    assert.equal(lastId, String(first));

    await append(first, "three\n");
    const resumed = parseSse(await (await follow(lastId)).text());
    assert.equal(logText(resumed), "three\n");
  });
});
