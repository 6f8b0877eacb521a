/**
 * `assay webhook` against a real control plane and a real loopback receiver: create (secret
 * from an environment variable), list (secret never printed), apply a Testkube Webhook document,
 * read the delivery log after a run, redeliver, delete, and clear errors with exit code 2.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { systemClock } from "@assay/shared/time";
import { main } from "../../agent/src/cli/main.ts";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../functions/testing/webhook-receiver.ts";

const SECRET = "cli-secret-0123456789abcdef";

describe("assay webhook", () => {
  let plane: TestControlPlane;
  let receiver: WebhookReceiver;
  const dir = mkdtempSync(join(tmpdir(), "assay-webhook-cli-"));

  before(async () => {
    plane = await startTestControlPlane({ webhooks: { backoffSeconds: [1] } });
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver?.stop();
    await plane?.stop();
  });

  const cli = async (args: string[]) => {
    let out = "";
    const code = await main(
      [...args, "--url", plane.apiUrl, "--token", plane.apiToken, "--org", plane.orgId, "--env", plane.envId],
      {
        stdout: { write: (c: string | Uint8Array) => (out += String(c)) },
        stderr: { write: (c: string) => (out += c) },
        env: { ASSAY_DATA_DIR: join(dir, "none"), HOOK_SECRET: SECRET },
        cwd: dir,
        clock: systemClock,
        color: false,
      },
    );
    return { code, out };
  };

  test("create, list, apply, deliveries, redeliver and delete", async () => {
    const created = await cli([
      "webhook",
      "create",
      "ci",
      "--uri",
      `${receiver.url}?w=ci`,
      "--event",
      "end-testworkflow-success",
      "--workflow",
      "smoke",
      "--header",
      "X-Team: qa",
      "--secret-env",
      "HOOK_SECRET",
    ]);
    assert.equal(created.code, 0, created.out);
    assert.match(created.out, /webhook ci created \(signed\)/);

    const file = join(dir, "hooks.yaml");
    writeFileSync(
      file,
      `apiVersion: executor.testkube.io/v1
kind: Webhook
metadata:
  name: from-testkube
spec:
  uri: ${receiver.url}?w=tk
  events: [end-testworkflow-success, end-test-success]
`,
    );
    const applied = await cli(["webhook", "apply", "-f", file]);
    assert.equal(applied.code, 0, applied.out);
    assert.match(applied.out, /webhook from-testkube applied/);
    assert.match(applied.out, /warning: spec\.events: end-test-success/);

    const listed = await cli(["webhook", "list"]);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /ci\s+testkube\s+end-testworkflow-success/);
    assert.match(listed.out, /from-testkube/);
    assert.equal(listed.out.includes(SECRET), false);

    const put = await plane.api(`${plane.envPath}/workflows/smoke`, {
      method: "PUT",
      body: "apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: smoke\nspec:\n  steps:\n    - shell: echo hi\n",
    });
    assert.ok(put.status < 300, await put.text());
    const start = await plane.api(`${plane.envPath}/workflows/smoke/executions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(start.status, 201);
    const { id } = (await start.json()) as { id: string };
    const won = await plane.core.work.claimOffered(
      { orgId: plane.orgId, envId: plane.envId, id },
      "cli-agent",
    );
    assert.ok(won);
    await plane.core.work.started({ orgId: plane.orgId, envId: plane.envId, id }, "cli-agent", Date.now());
    await plane.core.work.finish({ orgId: plane.orgId, envId: plane.envId, id }, "cli-agent", {
      status: "passed",
      logBytes: 0,
      steps: won.steps,
    });
    await receiver.waitFor(
      (r) => r.some((q) => q.path === "/hook?w=ci") && r.some((q) => q.path === "/hook?w=tk"),
      "both",
    );
    assert.match(
      String(receiver.received.find((q) => q.path === "/hook?w=ci")?.headers["x-assay-signature"]),
      /^v1=[0-9a-f]{64}$/,
    );

    let deliveries = await cli(["webhook", "deliveries", "ci", "-o", "json"]);
    for (let i = 0; JSON.parse(deliveries.out).items.length === 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      deliveries = await cli(["webhook", "deliveries", "ci", "-o", "json"]);
    }
    const [attempt] = (
      JSON.parse(deliveries.out) as {
        items: Array<{ id: string; outcome: string; executionId: string }>;
      }
    ).items;
    assert.equal(attempt?.outcome, "delivered");
    assert.equal(attempt?.executionId, id);
    const table = await cli(["webhook", "deliveries", "ci"]);
    assert.match(table.out, /end-testworkflow-success\s+\S+\s+1\s+delivered\s+200/);

    const again = await cli(["webhook", "redeliver", "ci", attempt.id]);
    assert.equal(again.code, 0, again.out);
    await receiver.waitFor((r) => r.filter((q) => q.path === "/hook?w=ci").length >= 2, "the redelivery");

    assert.equal((await cli(["webhook", "delete", "ci"])).code, 0);
    const gone = await cli(["webhook", "delete", "ci"]);
    assert.equal(gone.code, 2);
    assert.match(gone.out, /not found/);
  });

  test("bad input fails with a clear message and exit code 2", async () => {
    const noEvent = await cli(["webhook", "create", "x", "--uri", receiver.url]);
    assert.equal(noEvent.code, 2);
    assert.match(noEvent.out, /at least one --event/);
    const badUrl = await cli(["webhook", "create", "x", "--uri", "ftp://x", "--event", "start-testworkflow"]);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.out, /http or https/);
    const unset = await cli([
      "webhook",
      "create",
      "x",
      "--uri",
      receiver.url,
      "--event",
      "start-testworkflow",
      "--secret-env",
      "NOPE",
    ]);
    assert.equal(unset.code, 2);
    assert.match(unset.out, /\$NOPE is not set/);
    const file = join(dir, "none.yaml");
    writeFileSync(file, "kind: TestWorkflow\nmetadata:\n  name: a\n");
    const notWebhook = await cli(["webhook", "apply", "-f", file]);
    assert.equal(notWebhook.code, 2);
    assert.match(notWebhook.out, /no kind: Webhook document/);
  });
});
