/**
 * The dashboard when no agent is online, in headless Chromium against a real control plane
 * with no agent: the run dialog warns, the queued execution says it waits for an agent, the
 * agents page points at the install commands where they are (the npx one runs the tarball the
 * control plane serves), and onboarding does not tick "start an agent" for a token alone.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

describe("dashboard with no agent online", () => {
  let plane: TestControlPlane;
  let web: DashboardServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(15_000);
    problems = recordProblems(page);
    await page.goto(web.url);
    await signInWithApiToken(page, plane.apiToken);
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await plane?.stop();
  });

  test("the run dialog warns and the queued execution says it waits for an agent", async () => {
    await page.getByRole("button", { name: "Run hello" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`No agent is online in ${plane.envId}`).waitFor();
    await screenshot(page, "no-agent-01-run-dialog");
    await dialog.getByRole("button", { name: /^Run/ }).last().click();
    await page.waitForURL(/\/executions\//);
    await page.getByText(`waiting for an agent: none online in ${plane.envId}`).waitFor();
    await screenshot(page, "no-agent-02-queued-execution");
  });

  test("the agents page points down at the install commands, which run the served tarball", async () => {
    await page.goto(`${web.url}/orgs/${plane.orgId}/envs/${plane.envId}/agents`);
    await page.getByText("Start an agent with the install command below").waitFor();
    const npx = await page.getByLabel("npx install command").inputValue();
    assert.match(
      npx,
      /^ASSAY_AGENT_TOKEN='<AGENT_TOKEN>' npx --yes http:\/\/127\.0\.0\.1:\d+\/agent\/assay-agent-[\d.]+\.tgz agent /,
    );
    assert.match(npx, /--ca-file /);
  });

  test("onboarding ticks the agent step only when an agent connects, and points up at step 2", async () => {
    await page.goto(`${web.url}/orgs/${plane.orgId}/onboarding`);
    await page.getByRole("button", { name: "Create agent token" }).click();
    await page.getByText("Copy the token now").waitFor();
    await page.getByText("This step is ticked when the agent you start connects.").waitFor();
    assert.equal(
      await page.getByRole("heading", { name: /Start an agent in your network \(done\)/ }).count(),
      0,
    );
    await page.getByText("Start an agent with the install command from step 2 above").waitFor();
    await screenshot(page, "no-agent-03-onboarding");
    assert.deepEqual(problems, []);
  });
});
