/**
 * Performance figures for the dashboard (measured and printed, never asserted):
 * - initial JS: the gzip size of the scripts index.html loads (lazy chunks excluded);
 * - a 100k-line log: an execution that printed 100,000 lines (one in ten with ANSI colour) is
 *   opened, scrolled top to bottom with the mouse wheel, jumped to the end and searched, in
 *   Debian's chromium through playwright-core, with a PerformanceObserver of 'longtask' entries
 *   (main-thread tasks over 50 ms). The issue's bar is no long task over 200 ms.
 *
 * Runs the real local control plane (functions/testing/harness.ts) and a real agent process.
 * Usage: npx node tests/browser/perf-logs.ts [lines]   (default 100000)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { startTestControlPlane } from "../../functions/testing/harness.ts";
import { launchBrowser } from "./support/browser.ts";
import { DIST_DIR as BUILT_DIR, ensureDashboardBuilt } from "./support/build.ts";
import { serveDashboard } from "./support/serve-dashboard.ts";

/** ASSAY_PERF_DIST: measure another build (e.g. an unminified one for profiling). */
const DIST_DIR = process.env.ASSAY_PERF_DIST ?? BUILT_DIR;
const LINES = Number(process.argv[2] ?? 100_000);
const ASSAY = fileURLToPath(new URL("../../agent/bin/assay.ts", import.meta.url));

const BIG_LOG = `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: big-log
spec:
  steps:
    - name: Print ${LINES} lines
      shell: |
        seq 1 ${LINES} | awk '{ if ($1 % 10 == 0) printf "\\033[32mline %d ok\\033[0m checked 42 assertions in suite-%d\\n", $1, $1 % 97; else printf "line %d of the big log: lorem ipsum dolor sit amet, consectetur adipiscing\\n", $1 }'
`;

interface LongTask {
  start: number;
  duration: number;
}

function initialJs(): { files: string[]; bytes: number; gzip: number } {
  const html = readFileSync(join(DIST_DIR, "index.html"), "utf8");
  const files = [
    ...html.matchAll(/<script[^>]+src="\/?([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+\.js)"/g),
  ].map((m) => m[1] as string);
  let bytes = 0;
  let gzip = 0;
  for (const file of files) {
    const content = readFileSync(join(DIST_DIR, file));
    bytes += content.length;
    gzip += gzipSync(content, { level: 9 }).length;
  }
  return { files, bytes, gzip };
}

function lazyJs(initial: string[]): Array<{ file: string; gzip: number }> {
  return readdirSync(join(DIST_DIR, "assets"))
    .filter((f) => f.endsWith(".js") && !initial.includes(`assets/${f}`))
    .map((f) => ({
      file: f,
      gzip: gzipSync(readFileSync(join(DIST_DIR, "assets", f)), { level: 9 }).length,
    }));
}

const takeLongTasks = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __longTasks: LongTask[] };
    const tasks = w.__longTasks;
    w.__longTasks = [];
    return tasks;
  });

const summary = (label: string, ms: number | undefined, tasks: LongTask[]) => {
  const max = tasks.reduce((m, t) => Math.max(m, t.duration), 0);
  const over200 = tasks.filter((t) => t.duration > 200).length;
  const took = ms === undefined ? "" : `${Math.round(ms)} ms; `;
  const at = tasks
    .filter((t) => t.duration >= 100)
    .map((t) => `${Math.round(t.duration)} ms at ${Math.round(t.start)} ms`)
    .join(", ");
  console.log(
    `${label.padEnd(34)} ${took}long tasks ${tasks.length} (max ${Math.round(max)} ms, over 200 ms: ${over200})${at ? `; ≥100 ms: ${at}` : ""}`,
  );
};

const lineCount = (page: Page) =>
  page
    .locator(".log-status")
    .innerText()
    .then((t) => Number(/([\d,]+) lines/.exec(t)?.[1]?.replaceAll(",", "") ?? 0));

async function main() {
  if (!process.env.ASSAY_PERF_DIST) await ensureDashboardBuilt();
  const js = initialJs();
  console.log(`initial JS: ${js.files.join(", ")}`);
  console.log(
    `initial JS: ${(js.bytes / 1024).toFixed(1)} KiB raw, ${(js.gzip / 1024).toFixed(1)} KiB gzip (bar: 250 KB)`,
  );
  for (const chunk of lazyJs(js.files))
    console.log(`lazy chunk ${chunk.file}: ${(chunk.gzip / 1024).toFixed(1)} KiB gzip`);

  const plane = await startTestControlPlane();
  const agent: ChildProcess = spawn(
    process.execPath,
    [
      ASSAY,
      "agent",
      "--url",
      plane.ingressUrl,
      "--ca-file",
      plane.caFile,
      "--state-dir",
      join(mkdtempSync(join(tmpdir(), "assay-perf-")), "agent"),
    ],
    { env: { ...process.env, ASSAY_AGENT_TOKEN: plane.agentToken }, stdio: "ignore" },
  );
  const web = await serveDashboard(DIST_DIR, plane.apiUrl);
  const browser = await launchBrowser();
  try {
    const put = await plane.api(`${plane.envPath}/workflows/big-log`, {
      method: "PUT",
      headers: { "content-type": "application/yaml" },
      body: BIG_LOG,
    });
    if (!put.ok) throw new Error(`apply: ${await put.text()}`);
    const started = Date.now();
    const run = (await (
      await plane.api(`${plane.envPath}/workflows/big-log/executions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      })
    ).json()) as { id: string };
    let execution: { status: string; logBytes: number };
    for (;;) {
      execution = (await (
        await plane.api(`${plane.envPath}/executions/${run.id}`)
      ).json()) as typeof execution;
      if (!["queued", "assigned", "running"].includes(execution.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(
      `execution ${execution.status}: ${LINES.toLocaleString("en")} lines, ${(execution.logBytes / 1048576).toFixed(1)} MiB of log, ran in ${Date.now() - started} ms`,
    );

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((token: string) => {
      sessionStorage.setItem("assay.credentials", JSON.stringify({ kind: "token", token }));
      const w = window as unknown as { __longTasks: LongTask[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    }, plane.apiToken);
    const page = await context.newPage();
    // ASSAY_PERF_PROFILE=1: a CPU profile of the open phase, top functions by self time.
    const cdp = process.env.ASSAY_PERF_PROFILE ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }

    // Open: navigation until every line is in the viewer.
    const url = `${web.url}/orgs/${plane.orgId}/envs/${plane.envId}/executions/${run.id}`;
    const t0 = Date.now();
    await page.goto(url);
    const log = page.getByRole("log", { name: "Log output" });
    await log.getByText("line 1 of the big log", { exact: false }).first().waitFor({ timeout: 60_000 });
    const firstLines = Date.now() - t0;
    const shownAt = await page.evaluate(() => Math.round(performance.now()));
    for (;;) {
      if ((await lineCount(page)) >= LINES) break;
      await page.waitForTimeout(50);
    }
    const allLines = Date.now() - t0;
    console.log(`open: first lines shown after ${firstLines} ms (page clock ${shownAt} ms)`);
    if (cdp) {
      const { profile } = await cdp.send("Profiler.stop");
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const deltas = profile.timeDeltas ?? [];
      (profile.samples ?? []).forEach((id, i) => {
        const node = byId.get(id);
        if (!node) return;
        const f = node.callFrame;
        const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").at(-1)}:${f.lineNumber + 1}`;
        self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
      });
      for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
        console.log(`  profile ${ms.toFixed(1).padStart(8)} ms  ${key}`);
    }
    summary(
      `open: all ${LINES.toLocaleString("en")} lines in the viewer`,
      allLines,
      await takeLongTasks(page),
    );

    // Scroll: the mouse wheel over the log, top to bottom in 120 steps.
    await page.waitForTimeout(300);
    await takeLongTasks(page);
    const box = await log.boundingBox();
    if (!box) throw new Error("no log box");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const scrollHeight = await log.evaluate((el) => el.scrollHeight);
    const step = Math.ceil(scrollHeight / 120);
    const t1 = Date.now();
    for (let i = 0; i < 120; i++) {
      await page.mouse.wheel(0, step);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    }
    const scrolled = Date.now() - t1;
    const bottom = await log.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
    summary(
      `scroll: wheel to the end (${bottom ? "reached" : "not reached"})`,
      scrolled,
      await takeLongTasks(page),
    );

    // Small steps in the middle: reading, 40 wheel ticks of 100 px.
    await log.evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    await page.waitForTimeout(200);
    await takeLongTasks(page);
    const t2 = Date.now();
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, 100);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    }
    summary("scroll: 40 wheel ticks mid-log", Date.now() - t2, await takeLongTasks(page));

    // Keyboard: Home and End jump the whole log.
    await log.focus();
    const t3 = Date.now();
    await page.keyboard.press("Home");
    await page.keyboard.press("End");
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
    summary("scroll: Home then End", Date.now() - t3, await takeLongTasks(page));

    // Search: a term with one match near the end, then a frequent one.
    const search = page.getByLabel("Search logs");
    const t4 = Date.now();
    await search.fill(`line ${LINES - 3} of`);
    await page.getByText(/^1 of 1$/).waitFor();
    summary("search: one match at the end", Date.now() - t4, await takeLongTasks(page));
    const t5 = Date.now();
    await search.fill(" ok");
    await page
      .getByText(new RegExp(`^1 of ${(LINES / 10).toLocaleString("en").replaceAll(",", ",?")}$`))
      .waitFor()
      .catch(() => {});
    summary(`search: ${LINES / 10} matches`, Date.now() - t5, await takeLongTasks(page));
    const heap = await page.evaluate(
      () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize,
    );
    if (heap) console.log(`JS heap after all: ${(heap / 1048576).toFixed(0)} MiB`);
  } finally {
    await browser.close();
    await web.close();
    agent.kill("SIGTERM");
    if (agent.exitCode === null) await new Promise((r) => agent.once("exit", r));
    await plane.stop();
  }
}

await main();
