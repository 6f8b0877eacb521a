/**
 * The Insights pages in headless Chromium against a real control plane holding a constructed
 * history (six runs of `hello` ended through the real lifecycle, aggregated by the real insights
 * worker): the workflow's pass rate with aborted and canceled runs apart, the flaky test with
 * its flip rate and links to its runs, failure reasons, charts drawn with axes and legends, the
 * environment page reached from the navigation, and the page at phone width.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { WorkflowInsights } from "@assay/shared";
import type { Browser, Page } from "playwright-core";
import { startTestControlPlane, type TestControlPlane } from "../../functions/testing/harness.ts";
import { recordInsightHistory } from "../../functions/testing/insight-history.ts";
import { launchBrowser, recordProblems, screenshot, signInWithApiToken } from "./support/browser.ts";
import { DIST_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { type DashboardServer, serveDashboard } from "./support/serve-dashboard.ts";

describe("insights, in the browser", () => {
  let plane: TestControlPlane;
  let web: DashboardServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let ids: string[];

  /** Waits until the worker has aggregated the whole history (it runs off a queue). */
  async function aggregated(): Promise<WorkflowInsights> {
    const url = `${plane.apiUrl}/v1/orgs/${plane.orgId}/envs/${plane.envId}/workflows/hello/insights?days=7`;
    let body: WorkflowInsights | undefined;
    for (let i = 0; i < 300; i++) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${plane.apiToken}` } });
      assert.equal(response.status, 200);
      body = (await response.json()) as WorkflowInsights;
      if (body.runs === 6 && body.flakyTests.length === 1) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`the history was not aggregated: ${JSON.stringify(body)}`);
  }

  before(async () => {
    await ensureDashboardBuilt();
    plane = await startTestControlPlane();
    ids = await recordInsightHistory(plane);
    await aggregated();
    web = await serveDashboard(DIST_DIR, plane.apiUrl);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
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

  test("a workflow's insights: pass rate, stopped runs apart, the flaky test, reasons and charts", async () => {
    await page.getByRole("link", { name: "hello", exact: true }).first().click();
    await page.getByRole("heading", { name: "hello", exact: true }).waitFor();
    await page.getByRole("main").getByRole("link", { name: "Insights" }).click();
    await page.getByRole("heading", { name: "Insights: hello" }).waitFor();
    // The page belongs to Insights (it leads back to all workflows' insights): only that is current.
    const current = page.getByRole("navigation", { name: "Main" }).locator('a[aria-current="page"]');
    assert.deepEqual(await current.allTextContents(), ["Insights"]);
    await page.getByLabel("Window").selectOption("7");
    await page.waitForURL(/days=7/);

    const summary = page.getByLabel("Summary");
    await summary.getByText("50%").waitFor();
    assert.match(await summary.innerText(), /Runs\s+6\s+2 passed, 2 failed/);
    assert.match(await summary.innerText(), /Stopped\s+2\s+1 aborted, 1 canceled; not in the pass rate/);

    const flaky = page.getByRole("table", { name: "Flaky tests" });
    const row = flaky.getByRole("row").filter({ hasText: "login" });
    assert.deepEqual(
      (await row.getByRole("cell").allInnerTexts()).slice(0, 4).map((t) => t.trim()),
      ["e2e › login", "100%", "2", "1"],
    );
    // The flaky test links to the run where it failed (the second of the history).
    const failure = row.getByRole("link", { name: "last failure" });
    assert.match((await failure.getAttribute("href")) ?? "", new RegExp(`/executions/${ids[1]}$`));

    const reasons = page.getByRole("table", { name: "Failure reasons" });
    assert.match(await reasons.innerText(), /tests: exit code 1\s+2/);

    // Each chart is drawn on a canvas, with its axes and a legend naming its series.
    const durationChart = page.locator("figure.chart").filter({ hasText: "Duration" });
    await durationChart.locator("canvas").waitFor();
    const legend = await durationChart.locator(".u-legend").innerText();
    assert.match(legend, /p50/);
    assert.match(legend, /p95/);
    const outcomes = page.locator("figure.chart").filter({ hasText: "Runs and pass rate per day" });
    assert.match(
      await outcomes.locator(".u-legend").innerText(),
      /Aborted or canceled[\s\S]*Failed[\s\S]*Passed[\s\S]*Pass rate/,
    );
    assert.equal(await page.locator("figure.chart canvas").count(), 5);
    const box = await durationChart.locator("canvas").boundingBox();
    assert.ok(box && box.width > 200 && box.height > 100, `the chart has a size: ${JSON.stringify(box)}`);

    // Hovering a day shows its values in a tooltip.
    const over = durationChart.locator(".u-over");
    const area = await over.boundingBox();
    assert.ok(area);
    await over.hover({ position: { x: area.width - 3, y: area.height / 2 } });
    const tooltip = durationChart.getByRole("tooltip");
    await tooltip.waitFor();
    // Today's one run lasted 40 s: both percentiles read it (histogram buckets are 15 % wide).
    assert.match(await tooltip.innerText(), /p50: 4\d s\s+p95: 4\d s/);
    await screenshot(page, "insights-01-workflow");
  });

  test("the environment's insights from the navigation, with a line per workflow", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Insights" }).click();
    await page.getByRole("heading", { name: "Insights", exact: true }).waitFor();
    const workflows = page.getByRole("table", { name: "Workflows" });
    const hello = workflows.getByRole("row").filter({ hasText: "hello" });
    await hello.waitFor();
    assert.match(await hello.innerText(), /hello\s+6\s+50%/);
    const flaky = page.getByRole("table", { name: "Flaky tests" });
    assert.match(await flaky.innerText(), /hello\s+e2e › login\s+100%/);
    await screenshot(page, "insights-02-environment");
  });

  test("at phone width the page fits the screen and the charts shrink to it", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${web.url}/orgs/${plane.orgId}/envs/${plane.envId}/workflows/hello/insights?days=7`);
    const chart = page.locator("figure.chart").filter({ hasText: "Duration" });
    await chart.locator("canvas").waitFor();
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth);
    const box = await chart.locator("canvas").boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the chart fits: ${JSON.stringify(box)}`);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(page, "insights-03-phone");
    assert.deepEqual(problems, []);
  });
});
