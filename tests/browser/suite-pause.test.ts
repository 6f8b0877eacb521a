/**
 * Suites and pausing from the dashboard, in headless Chromium against a real control plane and
 * a real agent (host processes): a parent execution's page lists the child its `execute` step
 * started; the child's page links back to the parent; a member pauses the running child (it
 * shows Paused with since when, and Resume), resumes it (Pause again) and the log goes on.
 * No console errors. Screenshots go to tests/e2e/screenshots/.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";
import { SUITE, TICKER } from "../support/suite-workflows.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

describe("suites and pause, in the browser", () => {
  let stack: AgentStack;
  let web: DashboardServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let parentId = "";

  before(async () => {
    await ensureDashboardBuilt();
    stack = await startAgentStack({ prefix: "assay-web-suite", runtime: "process" });
    await stack.put("ticker", TICKER);
    await stack.put("suite", SUITE);
    web = await serveDashboard(DIST_DIR, stack.plane.apiUrl);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.setDefaultTimeout(20_000);
    problems = recordProblems(page);
    page.on("response", (r) => {
      if (r.status() >= 500) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await page.goto(web.url);
    await signInWithApiToken(page, stack.plane.apiToken);
    parentId = await stack.start("suite");
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await stack?.stop();
  });

  const executionUrl = (id: string) =>
    `${web.url}/orgs/${stack.plane.orgId}/envs/${stack.plane.envId}/executions/${id}`;

  test("the parent lists its child; the child links back to the parent and its step", async () => {
    await page.goto(executionUrl(parentId));
    const children = page.getByRole("table", { name: "Child executions" });
    const child = children.getByRole("link", { name: /^ticker execution \w{8}, running$/ });
    await child.waitFor({ timeout: 30_000 });
    await screenshot(page, "60-suite-parent-children");
    await child.click();
    await page.waitForURL(/\/executions\/[0-9A-Z]{26}$/);
    assert.notEqual(page.url(), executionUrl(parentId));
    const parentLink = page.getByRole("link", {
      name: `parent execution ${parentId.slice(-8).toLowerCase()}`,
    });
    await parentLink.waitFor();
    assert.equal(await parentLink.getAttribute("href"), new URL(executionUrl(parentId)).pathname);
    await page
      .getByTestId("parent")
      .getByText(/step r\w+/)
      .waitFor();
  });

  test("a member pauses the running child from its page and resumes it", async () => {
    const log = page.getByRole("log", { name: "Log output" });
    await log
      .getByText(/^tick \d+$/)
      .first()
      .waitFor();
    await page.getByRole("button", { name: "Pause", exact: true }).click();
    await page.getByTestId("paused").waitFor();
    assert.match((await page.getByTestId("paused").textContent()) ?? "", /^Paused \S/);
    await page.getByRole("button", { name: "Resume", exact: true }).waitFor();
    assert.equal(await page.getByRole("button", { name: "Pause", exact: true }).count(), 0);
    const childId = page.url().split("/").at(-1) ?? "";
    const paused = (await stack.getExecution(childId)) as unknown as { status: string; pausedAt?: string };
    assert.equal(paused.status, "running");
    assert.ok(paused.pausedAt, "the API has pausedAt");
    await log.getByText("[assay] paused", { exact: false }).waitFor();
    await screenshot(page, "61-child-paused");

    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await page.getByRole("button", { name: "Pause", exact: true }).waitFor();
    await page.getByTestId("paused").waitFor({ state: "detached" });
    await log.getByText("[assay] resumed", { exact: false }).waitFor();
    await screenshot(page, "62-child-resumed");

    // Done: aborting the child fails the parent's execute step.
    await page.getByRole("button", { name: "Abort", exact: true }).click();
    assert.equal((await stack.finished(parentId)).status, "failed");
    await page.goto(executionUrl(parentId));
    await page
      .getByRole("table", { name: "Child executions" })
      .getByRole("link", { name: /^ticker execution \w{8}, aborted$/ })
      .waitFor();
    assert.equal(await page.getByRole("button", { name: "Pause", exact: true }).count(), 0, "finished");
  });

  test("no console errors along the way", () => {
    assert.deepEqual(problems, []);
  });
});
