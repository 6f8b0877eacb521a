/**
 * A stranger's first run, in the browser: sign up, verify the email (local outbox), onboarding
 * creates an environment and an agent token, an agent started with the shown command comes
 * online live, the sample workflow runs and its log streams live until it passes, the JUnit tab
 * shows its three cases (one skipped), an artifact downloads with the bytes the step wrote;
 * then the owner invites a member, who sees only that organization. No console errors.
 * Screenshots go to tests/e2e/screenshots/.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser, recordProblems, screenshot } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));
const PASSWORD = "correct horse 42 battery";

describe("sign up to a first green run, in the browser", () => {
  let plane: TestControlPlane;
  let web: DashboardServer;
  let browser: Browser;
  const agents: ChildProcess[] = [];
  const problems: string[][] = [];
  const dir = mkdtempSync(join(tmpdir(), "assay-web-signup-"));
  const stamp = `${process.pid}-${Date.now()}`;
  const owner = `owner-${stamp}@example.com`;
  const member = `member-${stamp}@example.com`;

  /** The path and fragment of the latest emailed link to an address (the API's public URL differs). */
  const mailedLink = async (to: string, path: string): Promise<string> => {
    const res = await fetch(`${plane.apiUrl}/v1/dev/outbox?to=${encodeURIComponent(to)}`);
    const { items } = (await res.json()) as { items: Array<{ text: string }> };
    const pattern = new RegExp(`${path}#token=[A-Za-z0-9_-]+`);
    const match = items
      .map((m) => pattern.exec(m.text))
      .filter((m) => m !== null)
      .at(-1);
    assert.ok(match, `no ${path} link mailed to ${to}`);
    return `${web.url}${match[0]}`;
  };

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    problems.push(recordProblems(page));
    return page;
  };

  const signUp = async (page: Page, email: string, name: string) => {
    await page.goto(`${web.url}/signup`);
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    await page.goto(await mailedLink(email, "/verify-email"));
  };

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    for (const agent of agents) {
      agent.kill("SIGTERM");
      if (agent.exitCode === null) await new Promise((r) => agent.once("exit", r));
    }
    await plane?.stop();
  });

  let ownerPage: Page;
  let orgName = "";

  test("sign up, verify by email, land in onboarding", async () => {
    ownerPage = await newPage();
    await signUp(ownerPage, owner, "Olive Owner");
    await ownerPage.waitForURL(/\/orgs\/[^/]+\/onboarding$/);
    await ownerPage.getByRole("heading", { name: "Get started" }).waitFor();
    orgName = await ownerPage.getByLabel("Organization").evaluate((el) => (el as HTMLSelectElement).value);
    await screenshot(ownerPage, "10-onboarding");
  });

  test("create an environment and an agent token; the agent started with the shown command comes online", async () => {
    const page = ownerPage;
    await page.getByLabel("Environment id").fill("staging");
    await page.getByLabel("Display name").fill("Staging");
    await page.getByRole("button", { name: "Create environment" }).click();
    await page.getByRole("button", { name: "Create agent token" }).click();
    const secret = await page.getByLabel("Agent token secret").inputValue();
    assert.match(secret, /^asy_agent_/);
    const command = await page.getByLabel("npx install command").inputValue();
    const url = /--url\s+(\S+)/.exec(command)?.[1];
    assert.ok(url && command.includes(secret), `the command carries the URL and the token: ${command}`);
    await screenshot(page, "11-onboarding-token");
    // The shown command, run with the repo's CLI instead of the published package (and the
    // local ingress's self-signed CA).
    const agent = spawn(
      process.execPath,
      [
        ASSAY,
        "agent",
        "--url",
        url,
        "--ca-file",
        plane.caFile,
        "--state-dir",
        join(dir, "agent"),
        "--runtime",
        "process",
      ],
      { env: { ...process.env, ASSAY_AGENT_TOKEN: secret } },
    );
    agents.push(agent);
    await page
      .getByRole("table", { name: "Agents of staging" })
      .getByText("Online")
      .waitFor({ timeout: 20_000 });
    await screenshot(page, "12-onboarding-agent-online");
  });

  test("run the sample workflow from onboarding and watch its live log until it passes", async (t) => {
    const page = ownerPage;
    await page.getByRole("button", { name: "Run the sample workflow" }).click();
    await page.waitForURL(/\/envs\/staging\/executions\/[0-9A-Z]{26}$/);
    const log = page.getByRole("log", { name: "Log output" });
    // Live: the first line shows while the execution is still running.
    await log.getByText("line 1", { exact: true }).waitFor({ timeout: 30_000 });
    const statusWhileFirstLine = await page.locator(".status-line").innerText();
    await log.getByText("line 3", { exact: true }).waitFor({ timeout: 30_000 });
    await screenshot(page, "13-first-run-live");
    await page.locator(".status-line").getByText("Passed").waitFor({ timeout: 30_000 });
    await log.getByText("3 tests, 2 passed, 1 skipped").waitFor();
    t.diagnostic(`status when the first line showed: ${statusWhileFirstLine}`);
    await screenshot(page, "14-first-green-run");
  });

  test("the JUnit tab shows the three cases, the skipped one with its reason", async () => {
    const page = ownerPage;
    await page.getByRole("tab", { name: "Tests" }).click();
    const suite = page.getByRole("region", { name: "Suite arithmetic" });
    await suite.waitFor();
    await page.getByText(/3\s*tests · 2 passed · 0 failed · 1 skipped/).waitFor();
    const cases = suite.getByRole("listitem");
    assert.equal(await cases.count(), 3, "three cases");
    const skipped = cases.filter({ hasText: "divides by zero" });
    await skipped.getByText("skipped", { exact: true }).waitFor();
    await skipped.getByText("not yet").waitFor();
    assert.equal(await cases.filter({ hasText: "passed" }).count(), 2, "two passed cases");
    await screenshot(page, "15-junit");
  });

  test("the artifacts tab lists the files; one downloads with the bytes the step wrote", async () => {
    const page = ownerPage;
    await page.getByRole("tab", { name: "Artifacts" }).click();
    const files = page.getByRole("navigation", { name: "Artifact files" });
    await files.getByRole("button", { name: "Preview summary.txt" }).waitFor();
    await files.getByRole("button", { name: "Preview junit.xml" }).waitFor();
    // The JUnit XML shows as its text (the browser alone rendered it as an empty page).
    await files.getByRole("button", { name: "Preview junit.xml" }).click();
    const xml = page.frameLocator('iframe[title="Preview of junit.xml"]').locator("body");
    await xml.getByText("<testcase", { exact: false }).first().waitFor();
    assert.match(await xml.innerText(), /<testsuite[\s\S]*divides by zero/);
    await screenshot(page, "16a-artifact-junit-preview");
    await files.getByRole("button", { name: "Preview summary.txt" }).click();
    await page.getByRole("region", { name: "Preview" }).locator("iframe").waitFor();
    await screenshot(page, "16-artifacts");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      files.getByRole("button", { name: "Download summary.txt" }).click(),
    ]);
    const saved = await download.path();
    assert.equal(readFileSync(saved, "utf8"), "3 tests, 2 passed, 1 skipped\n");
    assert.match(page.url(), /\/executions\/[0-9A-Z]{26}$/, "the download did not navigate away");
  });

  test("invite a member, who sees only that organization", async () => {
    await ownerPage.getByRole("link", { name: "Settings" }).click();
    await ownerPage.getByRole("heading", { name: "Organization settings" }).waitFor();
    const invite = ownerPage.getByRole("form", { name: "Invite a member" });
    await invite.getByLabel("Email").fill(member);
    await invite.getByLabel("Role").selectOption("member");
    await invite.getByRole("button", { name: "Send invitation" }).click();
    await ownerPage.getByText(`Invitation sent to ${member}.`).waitFor();
    await ownerPage.getByRole("table", { name: "Audit log, newest first" }).waitFor();
    await screenshot(ownerPage, "17-settings");

    const page = await newPage();
    await signUp(page, member, "Mo Member");
    await page.waitForURL(/\/onboarding$/);
    await page.goto(await mailedLink(member, "/invitations"));
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.waitForURL(/\/envs\/staging\/workflows$/);
    await page.getByRole("link", { name: "hello", exact: true }).waitFor();
    const orgs = await page.getByLabel("Organization").locator("option").allTextContents();
    assert.equal(orgs.length, 2, `their own organization and the one they joined: ${orgs.join(", ")}`);
    assert.ok(!orgs.includes("Demo"), "no other tenant's organization");
    assert.ok(orgName, "the owner's organization is known");
  });

  test("no console errors along the way", () => {
    assert.deepEqual(problems.flat(), []);
  });
});
