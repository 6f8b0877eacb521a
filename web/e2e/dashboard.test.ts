/**
 * The dashboard in headless Chromium against a real control plane (DynamoDB Local, fauxqs,
 * TLS ingress, HTTP API) and a real agent: sign in with an API token, see the sample workflow,
 * write a workflow with config parameters in the editor (inline validation from the shared
 * parser), run both, watch live logs with colours, search them, filter executions, and check
 * the phone layout. No console errors along the way. Screenshots go to tests/e2e/screenshots/.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser, recordProblems, screenshot } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));

const CONFIG_WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: greet
  labels:
    team: web
spec:
  config:
    who:
      type: string
      description: Whom to greet
    times:
      type: integer
      default: 2
  steps:
    - name: Greet
      shell: |
        for i in $(seq 1 {{ config.times }}); do printf '\\033[32mhello {{ config.who }} %s\\033[0m\\n' "$i"; done
`;

describe("dashboard, in the browser", () => {
  let plane: TestControlPlane;
  let agent: ChildProcess;
  let web: DashboardServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let agentOutput = "";

  before(async () => {
    await ensureDashboardBuilt();
    const dir = mkdtempSync(join(tmpdir(), "assay-web-e2e-"));
    plane = await startTestControlPlane();
    agent = spawn(
      process.execPath,
      [
        ASSAY,
        "agent",
        "--url",
        plane.ingressUrl,
        "--ca-file",
        plane.caFile,
        "--state-dir",
        join(dir, "agent"),
      ],
      { env: { ...process.env, ASSAY_AGENT_TOKEN: plane.agentToken } },
    );
    agent.stdout?.on("data", (d) => (agentOutput += d));
    agent.stderr?.on("data", (d) => (agentOutput += d));
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    problems = recordProblems(page);
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    agent?.kill("SIGTERM");
    if (agent && agent.exitCode === null) await new Promise((r) => agent.once("exit", r));
    await plane?.stop();
  });

  test("sign in with an API token and see the sample workflow", async () => {
    await page.goto(web.url);
    await page.waitForURL(/\/login/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await screenshot(page, "01-sign-in");
    await page.getByText("Sign in with an API token").click();
    await page.getByLabel("API token", { exact: true }).fill(plane.apiToken);
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await page.getByRole("heading", { name: "Workflows" }).waitFor();
    await page.getByRole("link", { name: "hello", exact: true }).waitFor();
    await screenshot(page, "02-workflows-empty-history");
  });

  test("run the sample workflow and watch its live log until it passes", async () => {
    await page.getByRole("button", { name: "Run hello" }).click();
    const dialog = page.getByRole("dialog", { name: "Run hello" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/executions\/[0-9A-Z]{26}$/);
    const log = page.getByRole("log", { name: "Log output" });
    await log.getByText("line 1", { exact: true }).waitFor();
    await page.locator(".status-line").getByText("Passed").waitFor({ timeout: 30_000 });
    await log.getByText("line 3", { exact: true }).waitFor();
    const steps = page.getByRole("navigation", { name: "Steps" });
    await steps.getByRole("button", { name: /Say hello/ }).waitFor();
    assert.equal(await steps.getByText("Passed").count(), 2, "both steps passed");
    await screenshot(page, "03-execution-passed");

    // Per-step: choosing the second step hides the first one's lines.
    await steps.getByRole("button", { name: /Check the workspace/ }).click();
    await log.getByText("line 1", { exact: true }).waitFor({ state: "detached" });
    await steps.getByRole("button", { name: /Check the workspace/ }).click();
    await log.getByText("line 1", { exact: true }).waitFor();

    // Search moves between matches.
    await page.getByLabel("Search logs").fill("line");
    await page.getByText(/^1 of 3$/).waitFor();
    await page.getByLabel("Search logs").press("Enter");
    await page.getByText(/^2 of 3$/).waitFor();
    await page.getByLabel("Search logs").press("Escape");
  });

  test("write a workflow with config parameters in the editor, with inline validation", async () => {
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("link", { name: "New workflow" }).first().click();
    const editor = page.getByRole("textbox", { name: "Workflow YAML" });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(CONFIG_WORKFLOW.replace("type: integer", "type: wrong"));
    await page
      .getByRole("list", { name: "Problems" })
      .getByText(/spec\.config\.times\.type/)
      .waitFor();
    assert.ok(await page.getByRole("button", { name: "Save" }).isDisabled(), "invalid YAML cannot be saved");
    await screenshot(page, "04-editor-invalid");
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(CONFIG_WORKFLOW);
    await page.getByText('Valid TestWorkflow "greet"').waitFor();
    await page.keyboard.press("ControlOrMeta+s");
    await page.waitForURL(/\/workflows\/greet$/);
    await page.getByRole("heading", { name: "greet" }).waitFor();
    await screenshot(page, "05-workflow");
  });

  test("run with a form generated from the config parameters; coloured output", async () => {
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Run greet" });
    await dialog.getByLabel(/^who/).fill("Assay");
    await dialog.getByLabel(/^times/).fill("3");
    await dialog.getByLabel("Tags").fill("ci=dashboard");
    await dialog.getByRole("button", { name: "Run now" }).click();
    const log = page.getByRole("log", { name: "Log output" });
    await log.getByText("hello Assay 3").waitFor({ timeout: 30_000 });
    const colour = await log.getByText("hello Assay 1").evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, "rgb(74, 222, 128)", "ANSI green is rendered as green");
    await page.locator(".status-line").getByText("Passed").waitFor({ timeout: 30_000 });
    await screenshot(page, "06-execution-config");
  });

  test("executions list with filters", async () => {
    await page.getByRole("link", { name: "Executions" }).click();
    await page.getByRole("heading", { name: "Executions" }).waitFor();
    const table = page.getByRole("table", { name: "Executions, newest first" });
    await table.getByRole("link", { name: /^greet execution/ }).waitFor();
    await page.getByLabel("Workflow").selectOption("hello");
    await page.waitForURL(/workflow=hello/);
    await table.getByRole("link", { name: /^greet execution/ }).waitFor({ state: "detached" });
    await table.getByRole("link", { name: /^hello execution/ }).waitFor();
    await page.getByLabel("Status").selectOption("failed");
    await page.getByText("No executions match these filters").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await table.getByRole("link", { name: /^greet execution/ }).waitFor();
    await screenshot(page, "07-executions");
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("link", { name: /Last run of greet: passed/ }).waitFor();
    await screenshot(page, "08-workflows");
  });

  test("reading results at phone width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: /Last run of hello/ }).click();
    await page.getByRole("log", { name: "Log output" }).getByText("line 3", { exact: true }).waitFor();
    await screenshot(page, "09-execution-phone");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page does not scroll sideways at phone width (overflow ${overflow}px)`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("no console errors during the journey", () => {
    assert.deepEqual(problems, [], `agent output:\n${agentOutput.slice(-2000)}`);
  });

  test("an expired sign-in goes back to the sign-in page", async () => {
    await page.evaluate(() =>
      sessionStorage.setItem(
        "assay.credentials",
        JSON.stringify({ kind: "token", token: "asy_api_revoked" }),
      ),
    );
    await page.reload();
    await page.waitForURL(/\/login\?redirect=/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
  });
});
