import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventsOfEnd, eventsOfPhase } from "./events.ts";
import { parseLabelSelector, selectorMatches, webhooksSilenced } from "./selection.ts";

describe("webhook events", () => {
  test("queued and started runs raise only their phase event", () => {
    assert.deepEqual(eventsOfPhase("queued"), ["queue-testworkflow"]);
    assert.deepEqual(eventsOfPhase("started"), ["start-testworkflow"]);
    for (const status of ["queued", "assigned", "running"] as const)
      assert.deepEqual(eventsOfEnd(status, "passed"), []);
  });

  test("end events follow the status; become events compare with the previous finished run", () => {
    assert.deepEqual(eventsOfEnd("passed", "passed"), ["end-testworkflow-success"]);
    assert.deepEqual(eventsOfEnd("passed", "failed"), ["end-testworkflow-success", "become-testworkflow-up"]);
    assert.deepEqual(eventsOfEnd("failed", "failed"), [
      "end-testworkflow-failed",
      "end-testworkflow-not-passed",
    ]);
    assert.deepEqual(eventsOfEnd("failed", "passed"), [
      "end-testworkflow-failed",
      "end-testworkflow-not-passed",
      "become-testworkflow-down",
      "become-testworkflow-failed",
      "become-testworkflow-not-passed",
    ]);
    assert.deepEqual(eventsOfEnd("timeout", "aborted"), [
      "end-testworkflow-failed",
      "end-testworkflow-not-passed",
      "become-testworkflow-failed",
    ]);
    assert.deepEqual(eventsOfEnd("aborted", "failed"), [
      "end-testworkflow-aborted",
      "end-testworkflow-not-passed",
      "become-testworkflow-aborted",
    ]);
    assert.deepEqual(eventsOfEnd("canceled", "lost"), [
      "end-testworkflow-canceled",
      "end-testworkflow-not-passed",
      "become-testworkflow-canceled",
    ]);
  });

  test("a first finished run counts as a change, as in Testkube", () => {
    assert.deepEqual(eventsOfEnd("passed", undefined), [
      "end-testworkflow-success",
      "become-testworkflow-up",
    ]);
    assert.ok(eventsOfEnd("failed", undefined).includes("become-testworkflow-failed"));
  });
});

describe("webhook selection", () => {
  const wf = { name: "smoke", labels: { team: "qa", tier: "fast" } };

  test("label selectors in Kubernetes syntax", () => {
    const matches = (labels: string) => selectorMatches({ workflows: [], labels }, wf);
    assert.ok(matches(""));
    assert.ok(matches("team=qa"));
    assert.ok(matches("team==qa,tier!=slow"));
    assert.ok(matches("team in (qa, dev),!missing,tier"));
    assert.ok(!matches("team notin (qa)"));
    assert.ok(!matches("team=dev"));
    assert.ok(!matches("missing"));
    assert.ok(selectorMatches({ workflows: ["smoke"], labels: "" }, wf));
    assert.ok(!selectorMatches({ workflows: ["other"], labels: "" }, wf));
    assert.throws(() => parseLabelSelector("team in (qa"), /selector\.labels/);
    assert.throws(() => parseLabelSelector("a=b=c"), /selector\.labels/);
  });

  test("silent and disableWebhooks documents are quiet; expressions are not evaluated", () => {
    assert.ok(webhooksSilenced("spec:\n  execution:\n    silent: true\n"));
    assert.ok(webhooksSilenced("spec:\n  notifications:\n    disableWebhooks: 'true'\n"));
    assert.ok(!webhooksSilenced("spec:\n  execution:\n    silent: false\n"));
    assert.ok(!webhooksSilenced("spec:\n  execution:\n    silent: '{{ config.quiet }}'\n"));
    assert.ok(!webhooksSilenced(": not yaml ["));
  });
});
