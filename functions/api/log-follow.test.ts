/**
 * A bounded live follow (as behind a buffering gateway): the response closes without `end`
 * after `followMaxMs`, and a client resuming with Last-Event-ID gets exactly the bytes after
 * the last id it saw: no gap, no repeat.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createSseParser, type OutputStream, parseLogStreamEvent, type SseEvent } from "@assay/shared";
import { internalPrincipal } from "../core/access.ts";
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

const parseSse = (text: string): SseEvent[] => createSseParser().push(text);

const logText = (events: SseEvent[]) =>
  events
    .map(parseLogStreamEvent)
    .map((e) => (e?.kind === "log" ? Buffer.from(e.data, "base64").toString() : ""))
    .join("");

describe("bounded log follow", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
  });
  after(async () => {
    await plane?.stop();
  });

  /** A new execution of the `follow` workflow (applied by the first test). */
  const started = async () => {
    const created = await plane.api(`${plane.envPath}/workflows/follow/executions`, {
      method: "POST",
      body: "{}",
    });
    return ((await created.json()) as { id: string }).id;
  };
  const appendTo = (id: string, offset: number, text: string, at: { step?: string; stream?: OutputStream }) =>
    plane.core.logs.append(
      { orgId: plane.orgId, envId: plane.envId, id },
      {
        offset,
        step: at.step ?? "r1",
        stream: at.stream,
        data: new TextEncoder().encode(text),
      },
    );
  const follow = (id: string, signal: AbortSignal, step?: string) =>
    plane.core.followLog({
      principal: internalPrincipal(plane.orgId, "test"),
      orgId: plane.orgId,
      envId: plane.envId,
      id,
      from: 0,
      step,
      signal,
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
      plane.core.logs.append(
        { orgId: plane.orgId, envId: plane.envId, id },
        {
          offset,
          step: "r1",
          data: new TextEncoder().encode(text),
        },
      );
    const first = await append(0, "one\ntwo\n");

    const app = createApiApp({
      ...plane.core,
      orgs: plane.core.ports.orgs,
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
  test("the core's follower gives the status, stored bytes, live bytes of the step asked for, then the end", async () => {
    const id = await started();
    const append = (offset: number, step: string, text: string) => appendTo(id, offset, text, { step });
    const stored = await append(0, "r1", "stored\n");
    const stop = new AbortController();
    const events = follow(id, stop.signal, "r1");
    const next = async () => (await events.next()).value;
    assert.deepEqual(await next(), { kind: "status", status: "queued" });
    const first = await next();
    assert.equal(first?.kind, "log");
    assert.equal(first?.kind === "log" && new TextDecoder().decode(first.data), "stored\n");
    const other = await append(stored, "r2", "other step\n");
    await append(other, "r1", "live\n");
    const live = await next();
    assert.ok(live?.kind === "log");
    assert.equal(new TextDecoder().decode(live.data), "live\n");
    assert.equal(live.offset, other, "the other step's bytes are skipped, not given");
    await plane.core.executions.abort(internalPrincipal(plane.orgId, "test"), {
      orgId: plane.orgId,
      envId: plane.envId,
      id,
    });
    const rest = [];
    for await (const event of events) rest.push(event);
    assert.deepEqual(rest.at(-1), { kind: "end", status: "canceled", logBytes: 0 });
    assert.ok(rest.some((e) => e.kind === "status" && e.status === "canceled"));
  });

  test("live and stored, each segment says its stream; format=json refuses a byte range", async () => {
    const id = await started();
    const append = (offset: number, stream: OutputStream, text: string) =>
      appendTo(id, offset, text, { stream });
    const stop = new AbortController();
    const events = follow(id, stop.signal);
    const next = async () => (await events.next()).value;
    const stored = await append(0, "stdout", "out\n");
    assert.equal((await next())?.kind, "status");
    const first = await next();
    assert.ok(first?.kind === "log" && first.stream === "stdout");
    await append(stored, "stderr", "err\n");
    const live = await next();
    assert.ok(live?.kind === "log");
    assert.deepEqual([live.offset, live.stream, new TextDecoder().decode(live.data)], [4, "stderr", "err\n"]);
    stop.abort();

    const read = await plane.api(`${plane.envPath}/executions/${id}/logs?format=json`);
    assert.equal(read.status, 200);
    const body = (await read.json()) as {
      total: number;
      segments: Array<{ offset: number; stream: string }>;
    };
    assert.equal(body.total, 8);
    assert.deepEqual(
      body.segments.map((s) => [s.offset, s.stream]),
      [
        [0, "stdout"],
        [4, "stderr"],
      ],
    );
    const ranged = await plane.api(`${plane.envPath}/executions/${id}/logs?format=json&offset=2`);
    assert.equal(ranged.status, 400);
    assert.match(await ranged.text(), /format=json reads the whole log/);
    assert.equal((await plane.api(`${plane.envPath}/executions/${id}/logs?format=xml`)).status, 400);
  });
});
