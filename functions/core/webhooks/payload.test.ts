import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderBody, renderPayloadTemplate } from "./payload.ts";
import { sampleEvent } from "./sample-event.ts";
import { signPayload, verifySignature } from "./signature.ts";

describe("webhook payloads", () => {
  test("the default body is Testkube's event JSON", () => {
    const { body, contentType } = renderBody({ format: "testkube" }, sampleEvent());
    const event = JSON.parse(body);
    assert.equal(contentType, "application/json");
    assert.equal(event.type, "end-testworkflow-failed");
    assert.equal(event.resource, "testworkflowexecution");
    assert.equal(event.testWorkflowExecution.name, "smoke-01J0000000000000000000000");
    assert.equal(event.testWorkflowExecution.result.status, "failed");
    assert.equal(event.testWorkflowExecution.result.durationMs, 8000);
  });

  test("templates read Assay's names and Testkube's Go field paths", () => {
    const text = renderPayloadTemplate(
      "{{ .TestWorkflowExecution.Workflow.Name }}|{{ execution.result.status }}|{{ .Type_ }}|{{ workflow.labels.team }}|{{ event.id }}",
      sampleEvent(),
    );
    assert.equal(
      text,
      "smoke|failed|end-testworkflow-failed|qa|01J0000000000000000000000.end-testworkflow-failed",
    );
    assert.throws(() => renderPayloadTemplate("{{ nope }}", sampleEvent()), /payloadTemplate/);
    assert.throws(() => renderPayloadTemplate("{{ unclosed", sampleEvent()), /payloadTemplate/);
  });

  test("signatures cover timestamp and body", () => {
    const sig = signPayload("secret-secret-secret", 1_700_000_000, "{}");
    const input = { secret: "secret-secret-secret", body: "{}", signature: sig, timestamp: "1700000000" };
    assert.ok(verifySignature({ ...input, nowMs: 1_700_000_100_000 }));
    assert.ok(!verifySignature({ ...input, nowMs: 1_700_000_400_000 }), "too old");
    assert.ok(!verifySignature({ ...input, timestamp: "1700000001", nowMs: 1_700_000_000_000 }));
    assert.ok(!verifySignature({ ...input, secret: "other-other-other", nowMs: 1_700_000_000_000 }));
  });
});
