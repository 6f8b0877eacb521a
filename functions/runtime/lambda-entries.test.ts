/**
 * The real Lambda entries, loaded with the environment the stacks set (pointed at the stand-ins)
 * and invoked with events shaped as API Gateway (HTTP API, payload 2.0) and SQS deliver them.
 * node:test runs each file in its own process, so setting process.env here touches nothing else.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

/** An HTTP API (payload format 2.0) event, as API Gateway hands it to Lambda. */
function httpApiEvent(method: string, path: string, headers: Record<string, string>, body?: string) {
  const [rawPath = path, rawQueryString = ""] = path.split("?");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers: { host: "api.example.com", ...headers },
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "198.51.100.7", userAgent: "test" },
      requestId: "req-1",
      routeKey: "$default",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

interface HttpResult {
  statusCode: number;
  body: string;
  headers?: Record<string, string>;
}

describe("Lambda entries with synthetic events", () => {
  let plane: TestControlPlane;
  before(async () => {
    plane = await startTestControlPlane();
    Object.assign(process.env, plane.runtimeEnv(), { ASSAY_LOG_LEVEL: "error" });
  });
  after(async () => {
    await plane?.stop();
  });

  test("the API entry answers HTTP API events: reads, a run, and errors as JSON", async () => {
    const { handler } = (await import("../api/lambda.ts")) as unknown as {
      handler: (event: unknown, context: unknown) => Promise<HttpResult>;
    };
    const auth = { authorization: `Bearer ${plane.apiToken}` };
    const list = await handler(httpApiEvent("GET", `${plane.envPath}/workflows`, auth), {});
    assert.equal(list.statusCode, 200, list.body);
    assert.ok(
      (JSON.parse(list.body) as { items: Array<{ name: string }> }).items.some((w) => w.name === "hello"),
    );

    const run = await handler(
      httpApiEvent(
        "POST",
        `${plane.envPath}/workflows/hello/executions`,
        { ...auth, "content-type": "application/json" },
        "{}",
      ),
      {},
    );
    assert.equal(run.statusCode, 201, run.body);
    const { id, status } = JSON.parse(run.body) as { id: string; status: string };
    assert.equal(status, "queued");

    const page = await handler(httpApiEvent("GET", `${plane.envPath}/executions?limit=1`, auth), {});
    assert.equal((JSON.parse(page.body) as { items: Array<{ id: string }> }).items[0]?.id, id);

    const refused = await handler(httpApiEvent("GET", `${plane.envPath}/workflows`, {}), {});
    assert.equal(refused.statusCode, 401);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, "unauthenticated");
  });

  test("a worker entry takes an SQS batch and reports only the failed record", async () => {
    const { handler } = (await import("../worker/entries/compact-logs.ts")) as unknown as {
      handler: (event: unknown) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
    };
    const id = "01KAAAAAAAAAAAAAAAAAAAAAAA";
    await plane.core.logs.append(
      { orgId: plane.orgId, envId: plane.envId, id },
      {
        offset: 0,
        step: "r1",
        data: new TextEncoder().encode("compact me\n"),
      },
    );
    const record = (messageId: string, body: string) => ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body,
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:assay-compact-logs",
      awsRegion: "us-east-1",
    });
    const job = JSON.stringify({
      kind: "compact-logs",
      id,
      payload: { orgId: plane.orgId, envId: plane.envId, executionId: id },
    });
    const result = await handler({ Records: [record("good", job), record("poison", "not json")] });
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "poison" }]);
    assert.equal(
      (await plane.core.logs.read({ orgId: plane.orgId, envId: plane.envId, id })).toString(),
      "compact me\n",
    );
  });
});
