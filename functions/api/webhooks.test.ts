/**
 * Webhooks end to end on a real local control plane (DynamoDB Local, fauxqs queues, the real
 * workers) and a real HTTP receiver on loopback: runs are driven through the same core calls the
 * ingress makes for an agent (claim, started, finish).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { verifySignature } from "../core/webhooks/signature.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver.ts";

const SECRET = "s3cret-for-signing-0123456789";

const workflow = (name: string, extra = "") => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: ${name}
  labels:
    team: qa
spec:
${extra}  steps:
    - name: run
      shell: echo hi
`;

describe("webhooks", () => {
  let plane: TestControlPlane;
  let receiver: WebhookReceiver;
  let sqs: SQSClient;
  let queues: string[];

  before(async () => {
    plane = await startTestControlPlane({ webhooks: { backoffSeconds: [1], maxAttempts: 6 } });
    receiver = await startWebhookReceiver();
    const env = plane.runtimeEnv();
    sqs = new SQSClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_SQS,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    queues = [env.ASSAY_QUEUE_URL_WEBHOOK_EVENTS, env.ASSAY_QUEUE_URL_WEBHOOK_DELIVERY].map(String);
  });
  after(async () => {
    sqs?.destroy();
    await receiver?.stop();
    await plane?.stop();
  });

  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    plane.api(`${plane.envPath}${path}`, {
      ...init,
      ...(init.json === undefined
        ? {}
        : { body: JSON.stringify(init.json), headers: { "content-type": "application/json" } }),
    });

  /** Runs a workflow to `status` the way an agent's reports reach the core. */
  async function run(name: string, status: "passed" | "failed") {
    const res = await api(`/workflows/${name}/executions`, { method: "POST", json: {} });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const { work } = plane.core;
    const won = await work.claimOffered({ orgId: plane.orgId, envId: plane.envId, id }, "agent-1");
    assert.ok(won, "claimed");
    await work.started({ orgId: plane.orgId, envId: plane.envId, id }, "agent-1", Date.now());
    await work.finish({ orgId: plane.orgId, envId: plane.envId, id }, "agent-1", {
      status,
      logBytes: 0,
      steps: won.steps,
    });
    return id;
  }

  /** Waits until no webhook job is waiting, delayed or in flight. */
  async function drained() {
    for (let quiet = 0; quiet < 3; ) {
      let pending = 0;
      for (const QueueUrl of queues) {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: [
              "ApproximateNumberOfMessages",
              "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed",
            ],
          }),
        );
        pending += Object.values(Attributes).reduce((sum, v) => sum + Number(v), 0);
      }
      quiet = pending === 0 ? quiet + 1 : 0;
      await sleep(100);
    }
  }

  const eventsOf = (r: WebhookReceiver, path: string) =>
    r.received.filter((q) => q.path === path).map((q) => String(q.headers["x-assay-event"]));

  test("no webhook job while the environment has no enabled webhook; one enabled hears the next run", async () => {
    // The real queue, watched: which job kinds the control plane sends.
    const { jobs } = plane.core;
    const send = jobs.send.bind(jobs);
    const sent: string[] = [];
    jobs.send = (job) => {
      sent.push(job.kind);
      return send(job);
    };
    const hook = await startWebhookReceiver();
    try {
      assert.equal((await api("/workflows/first", { method: "PUT", body: workflow("first") })).status, 201);
      await run("first", "passed");
      assert.ok(sent.includes("compact-logs"), `the run's other jobs were sent: ${sent}`);
      assert.equal(sent.includes("webhook-events"), false, "no webhook exists: no webhook job");

      const created = await api("/webhooks", {
        method: "POST",
        json: { name: "first", url: hook.url, events: ["queue-testworkflow"], disabled: true },
      });
      assert.equal(created.status, 201, await created.clone().text());
      sent.length = 0;
      await run("first", "passed");
      assert.equal(sent.includes("webhook-events"), false, "only a disabled webhook: no webhook job");

      const enabled = await api("/webhooks/first", { method: "PATCH", json: { disabled: false } });
      assert.equal(enabled.status, 200, await enabled.clone().text());
      const id = await run("first", "passed");
      await hook.waitFor((r) => r.length >= 1, "the queued event of the run after enabling");
      assert.equal(JSON.parse(hook.received[0]?.body ?? "{}").testWorkflowExecution?.id, id);
    } finally {
      jobs.send = send;
      await api("/webhooks/first", { method: "DELETE" });
      await hook.stop();
    }
  });

  test("a signed Testkube payload reaches a loopback receiver for every lifecycle event", async () => {
    assert.equal((await api("/workflows/signed", { method: "PUT", body: workflow("signed") })).status, 201);
    const created = await api("/webhooks", {
      method: "POST",
      json: {
        name: "signed",
        url: `${receiver.url}?w=signed`,
        events: [
          "queue-testworkflow",
          "start-testworkflow",
          "end-testworkflow-success",
          "become-testworkflow-up",
        ],
        selector: { workflows: ["signed"], labels: "team=qa" },
        headers: { "X-Team": "qa", Authorization: "Bearer receiver-token" },
        secret: SECRET,
      },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const view = (await created.json()) as Record<string, unknown>;
    assert.equal(view.hasSecret, true);
    assert.equal(JSON.stringify(view).includes(SECRET), false, "the secret is never shown");
    assert.equal(JSON.stringify(view).includes("receiver-token"), false, "credential headers are masked");

    const id = await run("signed", "passed");
    await receiver.waitFor(
      (r) => eventsOf({ received: r } as WebhookReceiver, "/hook?w=signed").length >= 4,
      "4 events",
    );
    await drained();
    const mine = receiver.received.filter((q) => q.path === "/hook?w=signed");
    assert.deepEqual(mine.map((q) => q.headers["x-assay-event"]).sort(), [
      "become-testworkflow-up",
      "end-testworkflow-success",
      "queue-testworkflow",
      "start-testworkflow",
    ]);
    for (const request of mine) {
      assert.ok(
        verifySignature({
          secret: SECRET,
          body: request.body,
          signature: request.headers["x-assay-signature"] as string,
          timestamp: request.headers["x-assay-timestamp"] as string,
          nowMs: Date.now(),
        }),
        "signature verifies",
      );
      assert.equal(
        verifySignature({
          secret: SECRET,
          body: `${request.body} `,
          signature: request.headers["x-assay-signature"] as string,
          timestamp: request.headers["x-assay-timestamp"] as string,
          nowMs: Date.now(),
        }),
        false,
        "a changed body does not verify",
      );
      assert.equal(request.headers.authorization, "Bearer receiver-token");
      assert.equal(request.headers["x-team"], "qa");
      const payload = JSON.parse(request.body);
      assert.equal(payload.type, request.headers["x-assay-event"]);
      assert.equal(payload.resource, "testworkflowexecution");
      assert.equal(payload.resourceId, id);
      assert.equal(payload.id, `${id}.${payload.type}`);
      assert.equal(request.headers["idempotency-key"], payload.id);
      assert.equal(payload.testWorkflowExecution.workflow.name, "signed");
      assert.deepEqual(payload.testWorkflowExecution.workflow.labels, { team: "qa" });
    }
    const end = JSON.parse(
      mine.find((q) => q.headers["x-assay-event"] === "end-testworkflow-success")?.body ?? "{}",
    );
    assert.equal(end.testWorkflowExecution.result.status, "passed");
    assert.match(end.testWorkflowExecution.assay.url, new RegExp(`/executions/${id}$`));
    // An old timestamp does not verify (replay).
    const first = mine[0];
    assert.ok(first);
    assert.equal(
      verifySignature({
        secret: SECRET,
        body: first.body,
        signature: first.headers["x-assay-signature"] as string,
        timestamp: first.headers["x-assay-timestamp"] as string,
        nowMs: Date.now() + 10 * 60_000,
      }),
      false,
    );
    const log = (await (await api("/webhooks/signed/deliveries")).json()) as {
      items: Array<Record<string, unknown>>;
    };
    assert.equal(log.items.length, 4);
    for (const item of log.items) {
      assert.equal(item.outcome, "delivered");
      assert.equal(item.statusCode, 200);
      assert.equal(item.attempt, 1);
      assert.match(String(item.excerpt), /^received \d+$/);
      assert.equal(typeof item.latencyMs, "number");
    }
    const audit = await (await plane.api(`/v1/orgs/${plane.orgId}/audit`)).text();
    assert.match(audit, /webhook\.create/);
    assert.equal(
      audit.includes(SECRET) || audit.includes("receiver-token"),
      false,
      "no secrets in the audit log",
    );
  });

  test("a workflow that fails twice raises one become-testworkflow-failed", async () => {
    assert.equal((await api("/workflows/flaky", { method: "PUT", body: workflow("flaky") })).status, 201);
    const created = await api("/webhooks", {
      method: "POST",
      json: {
        name: "states",
        url: `${receiver.url}?w=states`,
        events: [
          "end-testworkflow-failed",
          "become-testworkflow-failed",
          "become-testworkflow-up",
          "queue-testworkflow",
        ],
        selector: { workflows: ["flaky"] },
      },
    });
    assert.equal(created.status, 201, await created.clone().text());
    await run("flaky", "failed");
    await receiver.waitFor((r) => r.filter((q) => q.path === "/hook?w=states").length >= 3, "first run");
    await run("flaky", "failed");
    await receiver.waitFor(
      (r) =>
        r.filter(
          (q) => q.path === "/hook?w=states" && q.headers["x-assay-event"] === "end-testworkflow-failed",
        ).length >= 2,
      "second run",
    );
    await drained();
    const events = eventsOf(receiver, "/hook?w=states");
    assert.equal(events.filter((e) => e === "end-testworkflow-failed").length, 2);
    assert.equal(events.filter((e) => e === "become-testworkflow-failed").length, 1);
    assert.equal(
      events.filter((e) => e === "queue-testworkflow").length,
      2,
      "queued runs raise queue events only",
    );
    await run("flaky", "passed");
    await receiver.waitFor(
      (r) =>
        r.some((q) => q.headers["x-assay-event"] === "become-testworkflow-up" && q.path === "/hook?w=states"),
      "up",
    );
  });

  test("a receiver that is down, then up, gets the delivery after retries", async () => {
    const flaky = await startWebhookReceiver();
    const url = flaky.url;
    await flaky.stop();
    assert.equal((await api("/workflows/later", { method: "PUT", body: workflow("later") })).status, 201);
    const created = await api("/webhooks", {
      method: "POST",
      json: { name: "later", url, events: ["end-testworkflow-success"], selector: { workflows: ["later"] } },
    });
    assert.equal(created.status, 201, await created.clone().text());
    await run("later", "passed");
    const failedOnce = async () => {
      const log = (await (await api("/webhooks/later/deliveries")).json()) as {
        items: Array<{ outcome: string }>;
      };
      return log.items.some((i) => i.outcome === "failed");
    };
    for (let i = 0; !(await failedOnce()); i++) {
      assert.ok(i < 300, "the first attempt was logged as failed");
      await sleep(100);
    }
    await flaky.start();
    try {
      await flaky.waitFor((r) => r.length >= 1, "the retried delivery");
      await drained();
      const log = (await (await api("/webhooks/later/deliveries")).json()) as {
        items: Array<{ outcome: string; attempt: number; nextAttemptAt?: string; id: string }>;
      };
      const delivered = log.items.find((i) => i.outcome === "delivered");
      assert.ok(delivered && delivered.attempt >= 2, JSON.stringify(log.items));
      assert.ok(log.items.filter((i) => i.outcome === "failed").every((i) => i.nextAttemptAt));
      assert.equal(flaky.received.length, 1, "delivered once");
      // Redelivery from the log sends the same event (same idempotency key) again.
      const again = await api(`/webhooks/later/deliveries/${delivered.id}/redeliver`, { method: "POST" });
      assert.equal(again.status, 202, await again.clone().text());
      await flaky.waitFor((r) => r.length >= 2, "the redelivery");
      assert.equal(
        flaky.received[1]?.headers["idempotency-key"],
        flaky.received[0]?.headers["idempotency-key"],
      );
    } finally {
      await flaky.stop();
    }
  });

  test("silent runs and workflows that disable webhooks send nothing", async () => {
    const quiet = await startWebhookReceiver();
    try {
      for (const [name, extra] of [
        ["silent", "  execution:\n    silent: true\n"],
        ["muted", "  notifications:\n    disableWebhooks: true\n"],
      ] as const) {
        assert.equal(
          (await api(`/workflows/${name}`, { method: "PUT", body: workflow(name, extra) })).status,
          201,
        );
      }
      const created = await api("/webhooks", {
        method: "POST",
        json: {
          name: "quiet",
          url: quiet.url,
          events: ["queue-testworkflow", "end-testworkflow-success"],
          selector: { workflows: ["silent", "muted", "loud"] },
        },
      });
      assert.equal(created.status, 201);
      await run("silent", "passed");
      await run("muted", "passed");
      assert.equal((await api("/workflows/loud", { method: "PUT", body: workflow("loud") })).status, 201);
      await run("loud", "passed");
      await quiet.waitFor((r) => r.length >= 2, "the loud run's events");
      await drained();
      const names = quiet.received.map((q) => JSON.parse(q.body).testWorkflowExecution.workflow.name);
      assert.deepEqual([...new Set(names)], ["loud"]);
    } finally {
      await quiet.stop();
    }
  });

  test("Slack and CDEvents formats, a payload template, and a Testkube Webhook document", async () => {
    assert.equal((await api("/workflows/formats", { method: "PUT", body: workflow("formats") })).status, 201);
    for (const [name, extra] of [
      ["slack", { format: "slack" }],
      ["cdevents", { format: "cdevents" }],
      [
        "templated",
        {
          payloadTemplate:
            '{"text":"{{ .TestWorkflowExecution.Workflow.Name }} {{ execution.result.status }} {{ .Type_ }}"}',
        },
      ],
    ] as const) {
      const res = await api("/webhooks", {
        method: "POST",
        json: {
          name,
          url: `${receiver.url}?w=${name}`,
          events: ["end-testworkflow-failed"],
          selector: { workflows: ["formats"] },
          ...extra,
        },
      });
      assert.equal(res.status, 201, await res.clone().text());
    }
    const doc = `apiVersion: executor.testkube.io/v1
kind: Webhook
metadata:
  name: from-testkube
  namespace: testkube
spec:
  uri: ${receiver.url}?w=from-testkube
  events:
    - end-testworkflow-failed
    - end-test-failed
  selector: team=qa
  payloadObjectField: data
`;
    const applied = await api("/webhooks/from-testkube", { method: "PUT", body: doc });
    assert.equal(applied.status, 201, await applied.clone().text());
    const { warnings } = (await applied.json()) as { warnings: string[] };
    assert.ok(warnings.some((w) => w.includes("end-test-failed")));
    assert.ok(warnings.some((w) => w.includes("payloadObjectField")));
    await run("formats", "failed");
    const path = (w: string) => `/hook?w=${w}`;
    await receiver.waitFor(
      (r) =>
        ["slack", "cdevents", "templated", "from-testkube"].every((w) => r.some((q) => q.path === path(w))),
      "every format",
    );
    const body = (w: string) => JSON.parse(receiver.received.find((q) => q.path === path(w))?.body ?? "{}");
    assert.match(body("slack").text, /\*formats\* failed/);
    assert.match(body("slack").text, /executions\/[0-9A-Z]{26}\|/);
    assert.equal(body("cdevents").context.type, "dev.cdevents.testcaserun.finished.0.1.1");
    assert.equal(body("cdevents").subject.content.outcome, "fail");
    assert.equal(body("templated").text, "formats failed end-testworkflow-failed");
    assert.equal(body("from-testkube").type, "end-testworkflow-failed");
  });

  test("bad input is a clear 4xx", async () => {
    const bad = async (json: unknown, pattern: RegExp) => {
      const res = await api("/webhooks", { method: "POST", json });
      assert.equal(res.status, 400, await res.clone().text());
      assert.match(await res.text(), pattern);
    };
    const base = { name: "bad", url: "http://127.0.0.1:9/x", events: ["start-testworkflow"] };
    await bad({ ...base, url: "ftp://example.com" }, /http or https/);
    await bad({ ...base, url: "http://169.254.169.254/latest" }, /may not reach/);
    await bad({ ...base, url: "http://10.1.2.3/" }, /may not reach/);
    await bad({ ...base, events: ["nope"] }, /events/);
    await bad({ ...base, selector: { labels: "a in (b" } }, /selector/);
    await bad({ ...base, payloadTemplate: "{{ nope.x }}" }, /payloadTemplate/);
    await bad({ ...base, secret: "short" }, /secret/);
    await bad({ ...base, headers: { "X-A": "a\r\nb" } }, /line breaks/);
    const dup = await api("/webhooks", { method: "POST", json: { ...base, name: "signed" } });
    assert.equal(dup.status, 409);
    const doc = await api("/webhooks/x", {
      method: "PUT",
      body: "kind: Webhook\nmetadata:\n  name: y\nspec:\n  uri: http://127.0.0.1:9\n  events: [start-testworkflow]\n",
    });
    assert.equal(doc.status, 400);
    assert.match(await doc.text(), /metadata\.name/);
    const patched = await api("/webhooks/signed", {
      method: "PATCH",
      json: { secret: null, disabled: true },
    });
    assert.equal(patched.status, 200);
    assert.equal(((await patched.json()) as { hasSecret: boolean }).hasSecret, false);
    assert.equal((await api("/webhooks/signed", { method: "DELETE" })).status, 204);
    assert.equal((await api("/webhooks/signed")).status, 404);
  });
});
