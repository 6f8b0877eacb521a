/**
 * The webhook pages in headless Chromium against a real control plane and a real loopback
 * receiver: create a signed webhook in the dialog (the secret is never shown back), see a run's
 * deliveries appear in the log, redeliver one, disable the webhook. No console errors.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../../functions/testing/webhook-receiver.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

const SECRET = "dashboard-secret-0123456789";

describe("webhook pages, in the browser", () => {
  let plane: TestControlPlane;
  let receiver: WebhookReceiver;
  let web: DashboardServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    receiver = await startWebhookReceiver();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    problems = recordProblems(page);
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await receiver?.stop();
    await plane?.stop();
  });

  test("create a webhook, watch its deliveries, redeliver, disable", async () => {
    await page.goto(web.url);
    await signInWithApiToken(page, plane.apiToken);

    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByText("No webhooks yet").waitFor();
    await page.getByRole("button", { name: "New webhook" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New webhook" });
    await dialog.getByLabel("Name").fill("team-hook");
    await dialog.getByLabel("URL").fill(receiver.url);
    await dialog.getByLabel("end-testworkflow-success").check();
    await dialog.getByLabel(/Signing secret/).fill(SECRET);
    await screenshot(page, "webhooks-01-create");
    await dialog.getByRole("button", { name: "Create webhook" }).click();
    await page.getByRole("heading", { name: "Webhook team-hook" }).waitFor();
    await page.getByText("set (hidden)").waitFor();
    assert.equal((await page.content()).includes(SECRET), false, "the secret is not on the page");

    // A run of the sample workflow, reported the way the ingress reports an agent's progress.
    const res = await plane.api(`${plane.envPath}/workflows/hello/executions`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    const won = await plane.core.work.claimOffered(
      { orgId: plane.orgId, envId: plane.envId, id },
      "web-agent",
    );
    assert.ok(won);
    await plane.core.work.started({ orgId: plane.orgId, envId: plane.envId, id }, "web-agent", Date.now());
    await plane.core.work.finish({ orgId: plane.orgId, envId: plane.envId, id }, "web-agent", {
      status: "passed",
      logBytes: 0,
      steps: won.steps,
    });
    await receiver.waitFor((r) => r.length >= 1, "the delivery");

    const log = page.getByRole("table", { name: "Delivery attempts" });
    await log.getByText(id).first().waitFor({ timeout: 30_000 });
    await log.getByRole("cell", { name: "delivered" }).first().waitFor();
    await screenshot(page, "webhooks-02-deliveries");
    await log
      .getByRole("button", { name: /Redeliver end-testworkflow-success/ })
      .first()
      .click();
    await page.getByText("Redelivery queued.").waitFor();
    await receiver.waitFor((r) => r.length >= 2, "the redelivery");
    await log.getByText("1 (redelivery)").waitFor({ timeout: 30_000 });

    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("button", { name: "Enable" }).waitFor();
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("link", { name: "team-hook" }).waitFor();
    await page.getByRole("cell", { name: "disabled" }).waitFor();
    await screenshot(page, "webhooks-03-list");
    assert.deepEqual(problems, []);
  });
});
