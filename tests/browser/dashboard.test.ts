/**
 * The dashboard in headless Chromium against a real control plane (DynamoDB Local, fauxqs,
 * TLS ingress, HTTP API) and a real agent: sign in with an API token, see the sample workflow,
 * read its JUnit results and artifacts through the API (token sign-in), see retries and
 * parallel workers in the step tree, write a template and a workflow with config parameters in
 * the editor (inline validation from the shared parser), see schedules with their next runs,
 * run with a generated form, watch live logs with colours, search them, filter executions by
 * workflow, status, tag and time, and check the phone layout. No console errors along the way. Screenshots go to tests/e2e/screenshots/.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
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

const FANOUT_WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: fanout
spec:
  events:
    - cronjob:
        cron: "0 0 1 1 *"
        timezone: Europe/Warsaw
  steps:
    - name: Flaky
      retry: {count: 2}
      shell: n=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; echo attempt $n; [ $n -ge 2 ] || { echo "attempt $n not yet" >&2; exit 1; }
    - name: Browsers
      parallel:
        matrix: {browser: [chrome, firefox]}
        # Long enough to be sampled on a loaded machine: a process that exits before the agent
        # first looks at it has no measurable memory peak.
        shell: echo "testing {{ matrix.browser }}"; sleep 1
`;

/** Runs its image's own entrypoint, which the process runtime of the journey's agent cannot. */
const ENTRYPOINT_WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: served
spec:
  steps:
    - name: Serve
      run:
        image: nginx:1.27
`;

/** Goes only to an agent labelled region=mars, which the journey's agent is not. */
const TARGETED_WORKFLOW = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: mars-only
spec:
  execution:
    target:
      match:
        region: [mars]
  steps:
    - shell: echo landed
`;

const TEMPLATE = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflowTemplate
metadata:
  name: greeter
spec:
  config:
    greeting:
      type: string
      default: hello
  steps:
    - name: Greet
      shell: echo "{{ config.greeting }} from a template"
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

  /** Starts `workflow`, which no online agent can take, and checks its page and the list say why; aborts it. */
  const expectWaiting = async (workflow: string, why: RegExp, shot: string) => {
    const started = await plane.api(`${plane.envPath}/workflows/${workflow}/executions`, {
      method: "POST",
      body: "{}",
    });
    const startedText = await started.text();
    assert.ok(started.status < 300, startedText);
    const { id } = JSON.parse(startedText) as { id: string };
    await page.goto(`${web.url}/orgs/${plane.orgId}/envs/${plane.envId}/executions/${id}`);
    const banner = page.getByRole("status", { name: "Why it waits" });
    await banner.getByText(why).waitFor();
    await banner.getByRole("link", { name: "see the agents, their runtimes and labels" }).waitFor();
    await screenshot(page, shot);
    await page.getByRole("link", { name: "Executions" }).click();
    const name = new RegExp(`^${workflow} execution .*, queued$`);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name }) });
    await row.getByText(why).waitFor();
    const aborted = await plane.api(`${plane.envPath}/executions/${id}/abort`, { method: "POST" });
    assert.ok(aborted.status < 300, await aborted.text());
  };

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
        "--runtime",
        "process",
      ],
      { env: { ...process.env, ASSAY_AGENT_TOKEN: plane.agentToken } },
    );
    agent.stdout?.on("data", (d) => (agentOutput += d));
    agent.stderr?.on("data", (d) => (agentOutput += d));
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
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
    await signInWithApiToken(page, plane.apiToken);
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
    await steps.getByRole("button", { name: /Run the tests/ }).click();
    await log.getByText("line 1", { exact: true }).waitFor({ state: "detached" });
    await steps.getByRole("button", { name: /Run the tests/ }).click();
    await log.getByText("line 1", { exact: true }).waitFor();

    // Search moves between matches.
    await page.getByLabel("Search logs").fill("line");
    await page.getByText(/^1 of 3$/).waitFor();
    await page.getByLabel("Search logs").press("Enter");
    await page.getByText(/^2 of 3$/).waitFor();
    await page.getByLabel("Search logs").press("Escape");
  });

  test("signed in with an API token: preview and download artifacts through the API", async () => {
    await page.getByRole("tab", { name: "Tests" }).click();
    await page.getByRole("region", { name: "Suite arithmetic" }).getByText("divides by zero").waitFor();
    await page.getByRole("tab", { name: "Artifacts" }).click();
    const files = page.getByRole("navigation", { name: "Artifact files" });
    await files.getByRole("button", { name: "Preview summary.txt" }).click();
    await page
      .getByRole("figure", { name: "Preview of summary.txt" })
      .getByText("3 tests, 2 passed, 1 skipped")
      .waitFor();
    await files.getByRole("button", { name: "Preview junit.xml" }).click();
    await page
      .getByRole("figure", { name: "Preview of junit.xml" })
      .getByText(/testsuite name="arithmetic"/)
      .waitFor();
    await screenshot(page, "03b-artifacts-token");
    const [one] = await Promise.all([
      page.waitForEvent("download"),
      files.getByRole("button", { name: "Download junit.xml" }).click(),
    ]);
    assert.equal(one.suggestedFilename(), "junit.xml");
    assert.match(readFileSync(await one.path(), "utf8"), /<testcase classname="arithmetic" name="adds"/);
    const [all] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download all (.tar.gz)" }).click(),
    ]);
    const archive = readFileSync(await all.path());
    assert.deepEqual([...archive.subarray(0, 2)], [0x1f, 0x8b], "a gzip archive");
    await page.getByRole("tab", { name: "Logs" }).click();
  });

  test("step tree: retries, parallel workers under their parent, memory peaks", async () => {
    const put = await plane.api(`${plane.envPath}/workflows/fanout`, {
      method: "PUT",
      headers: { "content-type": "application/yaml" },
      body: FANOUT_WORKFLOW,
    });
    assert.ok(put.ok, await put.text());
    await page.getByRole("link", { name: "Workflows" }).click();
    // Applied behind the page's back (the API, not the editor): reload past the list cache.
    await page.reload();
    await page.getByRole("button", { name: "Run fanout" }).click();
    await page.getByRole("dialog", { name: "Run fanout" }).getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/executions\/[0-9A-Z]{26}$/);
    await page.locator(".status-line").getByText("Passed").waitFor({ timeout: 30_000 });
    const steps = page.getByRole("navigation", { name: "Steps" });
    await steps.getByText("retry 1/2").waitFor();
    await steps.getByText("2 workers · 2 passed").waitFor();
    const browsers = steps
      .getByRole("listitem")
      .filter({ has: page.getByRole("button", { name: /Browsers/ }) });
    assert.equal(
      await browsers.getByText("worker", { exact: true }).count(),
      2,
      "two workers under Browsers",
    );
    await steps
      .getByText(/mem \d/)
      .first()
      .waitFor();
    await screenshot(page, "03c-step-tree");

    // All steps: a section per top-level step, the workers' lines prefixed with their names.
    const log = page.getByRole("log", { name: "Log output" });
    const section = log.getByRole("button", { name: "Collapse the log of Browsers" });
    await section.waitFor();
    const chrome = log.locator(".log-line").filter({ hasText: "testing chrome" });
    await chrome.waitFor();
    assert.match(await chrome.locator(".log-prefix").innerText(), /\S/, "the worker's line names the worker");
    await screenshot(page, "03d-log-sections");
    // What the flaky step wrote to stderr is marked (a title and a spoken label), its stdout not.
    const complaint = log.locator(".log-line").filter({ hasText: "attempt 1 not yet" });
    await complaint.waitFor();
    assert.equal(await complaint.getAttribute("data-stream"), "stderr");
    assert.equal(await complaint.getAttribute("title"), "Written to stderr");
    assert.equal(await complaint.locator(".log-stream-label").textContent(), "stderr: ");
    const attempt = log
      .locator(".log-line")
      .filter({ hasText: "attempt 1" })
      .filter({ hasNotText: "not yet" });
    assert.equal(await attempt.getAttribute("data-stream"), null, "a stdout line is not marked");
    await section.click();
    await chrome.waitFor({ state: "detached" });
    await log.getByRole("button", { name: "Expand the log of Browsers" }).click();
    await chrome.waitFor();
  });

  test("templates: write one in the same editor with validation, list and open it", async () => {
    await page.getByRole("link", { name: "Templates" }).click();
    await page.getByRole("heading", { name: "Templates" }).waitFor();
    await page.getByText("No templates yet").waitFor();
    await page.getByRole("link", { name: "New template" }).first().click();
    const editor = page.getByRole("textbox", { name: "Template YAML" });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(TEMPLATE.replace("kind: TestWorkflowTemplate", "kind: TestWorkflow"));
    await page
      .getByRole("list", { name: "Problems" })
      .getByText(/TestWorkflowTemplate/)
      .waitFor();
    assert.ok(await page.getByRole("button", { name: "Save" }).isDisabled(), "a workflow is not a template");
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(TEMPLATE);
    await page.getByText('Valid TestWorkflowTemplate "greeter"').waitFor();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/\/templates\/greeter$/);
    await page.getByRole("heading", { name: "greeter" }).waitFor();
    await page.getByRole("cell", { name: "greeting" }).waitFor();
    await screenshot(page, "05b-template");
    await page.getByRole("link", { name: "Templates" }).click();
    await page.getByRole("link", { name: "greeter" }).waitFor();
    await screenshot(page, "05c-templates");
  });

  test("schedules: each workflow's cron entries with the next run times", async () => {
    await page.getByRole("link", { name: "Schedules" }).click();
    await page.getByRole("heading", { name: "Schedules" }).waitFor();
    const next = page.getByRole("list", { name: "Next runs of fanout 0 0 1 1 *" });
    await next.waitFor();
    assert.equal(await next.getByRole("listitem").count(), 3);
    const first = await next.locator("time").first().getAttribute("datetime");
    const year = new Date().getUTCFullYear();
    assert.equal(first, `${year}-12-31T23:00:00.000Z`, "midnight of 1 January in Warsaw");
    await screenshot(page, "05d-schedules");
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
    // The save is confirmed where the user lands, not only in the editor they left.
    await page.locator(".toasts").getByText("Saved greet, version 1").waitFor();
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
    // Tags go to the API (?tag=ci=dashboard); only the greet run carries it.
    await page.getByLabel("Tags").fill("ci=dashboard");
    await page.getByLabel("Tags").press("Enter");
    await page.waitForURL(/tag=ci%3Ddashboard/);
    await table.getByRole("link", { name: /^hello execution/ }).waitFor({ state: "detached" });
    await table.getByRole("link", { name: /^greet execution/ }).waitFor();
    await page.getByLabel("Tags").fill("nonsense");
    await page.getByLabel("Tags").press("Enter");
    await page.getByRole("alert").getByText('"nonsense" must look like key=value').waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    // Time: everything here ran within the hour.
    await page.getByLabel("Created").selectOption("1h");
    await page.waitForURL(/since=1h/);
    await table
      .getByRole("link", { name: /^hello execution/ })
      .first()
      .waitFor();
    await table.getByRole("link", { name: /^greet execution/ }).waitFor();
    await screenshot(page, "07-executions");
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("link", { name: /Last run of greet: passed/ }).waitFor();
    await screenshot(page, "08-workflows");
  });

  test("a run no online agent matches says why on its page and in the executions list", async () => {
    const put = await plane.api(`${plane.envPath}/workflows/mars-only`, {
      method: "PUT",
      headers: { "content-type": "application/yaml" },
      body: TARGETED_WORKFLOW,
    });
    assert.ok(put.ok, await put.text());
    const why = `waiting for an agent matching region=mars: none of the 1 online agent in ${plane.envId} matches`;
    await expectWaiting("mars-only", new RegExp(why), "05f-queued-no-matching-agent");
  });

  test("the editor shows what the agents' runtime will not run; delete a workflow from its page", async () => {
    await page.getByRole("link", { name: "Workflows" }).click();
    await page.getByRole("link", { name: "New workflow" }).first().click();
    const editor = page.getByRole("textbox", { name: "Workflow YAML" });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(ENTRYPOINT_WORKFLOW);
    await page.getByText('Valid TestWorkflow "served"').waitFor();
    await page.keyboard.press("ControlOrMeta+s");
    await page
      .getByRole("list", { name: "Will not run" })
      .getByText(
        /process runtime: spec\.steps\[0\]\.run: the step runs the default entrypoint of image nginx:1\.27/,
      )
      .waitFor();
    await screenshot(page, "05d-editor-refusals");
    // Run anyway: it waits, and its page and the executions list say why.
    await expectWaiting(
      "served",
      new RegExp(
        `waiting for an agent with a container runtime \\(docker\\): .*none of the 1 online agent in ${plane.envId} has one`,
      ),
      "05e-queued-needs-containers",
    );
    await page.goto(`${web.url}/orgs/${plane.orgId}/envs/${plane.envId}/workflows/served`);
    await page.getByRole("heading", { name: "served" }).waitFor();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Delete served?" });
    await dialog.getByText(/executions stay readable/).waitFor();
    await dialog.getByRole("button", { name: "Delete workflow" }).click();
    await page.waitForURL(/\/workflows$/);
    await page.getByRole("link", { name: "greet", exact: true }).first().waitFor();
    assert.equal(await page.getByRole("link", { name: "served", exact: true }).count(), 0);
    const gone = await plane.api(`${plane.envPath}/workflows/served`);
    assert.equal(gone.status, 404);
  });

  test("reading results at phone width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const noSidewaysScroll = async (what: string) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${what} does not scroll sideways at phone width (overflow ${overflow}px)`);
    };
    await page.getByRole("link", { name: /Last run of hello/ }).click();
    await page.getByRole("log", { name: "Log output" }).getByText("line 3", { exact: true }).waitFor();
    await screenshot(page, "09-execution-phone");
    await noSidewaysScroll("the execution");
    await page.getByRole("tab", { name: "Tests" }).click();
    await page.getByRole("region", { name: "Suite arithmetic" }).waitFor();
    await screenshot(page, "09b-tests-phone");
    await noSidewaysScroll("the tests tab");
    await page.getByRole("tab", { name: "Artifacts" }).click();
    await page.getByRole("button", { name: "Preview summary.txt" }).click();
    await page.getByRole("figure", { name: "Preview of summary.txt" }).waitFor();
    await screenshot(page, "09c-artifacts-phone");
    await noSidewaysScroll("the artifacts tab");
    await page.getByRole("tab", { name: "Logs" }).click();
    // The header is one row at phone width: the sections sit behind one menu.
    const header = await page.locator(".topbar").boundingBox();
    assert.ok(header && header.height < 64, `the header is one row (height ${header?.height}px)`);
    const go = async (section: string) => {
      await page.getByRole("button", { name: "Menu" }).click();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: section }).click();
    };
    await go("Executions");
    await page.getByRole("table", { name: "Executions, newest first" }).waitFor();
    await screenshot(page, "09d-executions-phone");
    await noSidewaysScroll("the executions list");
    await go("Schedules");
    await page.getByRole("list", { name: /Next runs of fanout/ }).waitFor();
    await screenshot(page, "09e-schedules-phone");
    await noSidewaysScroll("the schedules");
    await go("Settings");
    await page.getByRole("heading", { name: "Organization settings" }).waitFor();
    await page.getByRole("meter", { name: "Environments used" }).waitFor();
    await screenshot(page, "09f-settings-phone");
    await noSidewaysScroll("the settings");
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, "09g-settings");
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
