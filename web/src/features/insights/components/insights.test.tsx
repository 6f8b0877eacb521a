import "../../../../test/dom.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { renderInRouter } from "../../../../test/router.tsx";
import { DEFAULT_DAYS, parseDays } from "../api/insights.ts";
import { DaysSelect } from "./days-select.tsx";
import { FailureReasons } from "./failure-reasons.tsx";
import { home, login, workflowInsights } from "./fixtures.ts";
import { chartSeries } from "./insights-charts.tsx";
import { InsightsSummary } from "./insights-summary.tsx";
import { TestTable } from "./test-tables.tsx";

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole("cell")
    .map((c) => c.textContent);

test("the summary shows runs by outcome, the pass rate, and aborted and canceled runs apart", () => {
  render(<InsightsSummary totals={workflowInsights} />);
  const summary = screen.getByLabelText("Summary");
  const text = summary.textContent ?? "";
  assert.match(text, /Runs6 ?2 passed, 2 failed/);
  assert.match(text, /Pass rate50%/);
  assert.match(text, /Stopped2 ?1 aborted, 1 canceled; not in the pass rate/);
  assert.match(text, /Durationp50 20 s ?p95 40 s/);
  assert.match(text, /Queue timep50 1\.0 s ?p95 3\.0 s/);
  assert.match(text, /CPU 90%/);
  assert.match(text, /memory 64 MiB/);
});

test("a summary without measurements shows dashes, not zeros", () => {
  const none = { p50: null, p95: null, max: null };
  render(
    <InsightsSummary
      totals={{
        ...workflowInsights,
        runs: 0,
        passed: 0,
        failed: 0,
        aborted: 0,
        canceled: 0,
        passRate: null,
        durationMs: none,
      }}
    />,
  );
  const text = screen.getByLabelText("Summary").textContent ?? "";
  assert.match(text, /Pass rate–/);
  assert.match(text, /Durationp50 –/);
});

test("the flaky table names the test, its flip rate and counts, and links to its runs", async () => {
  await renderInRouter(<TestTable kind="flaky" tests={[login]} org="acme" env="staging" />);
  const table = screen.getByRole("table", { name: "Flaky tests" });
  const [, row] = within(table).getAllByRole("row");
  assert.ok(row);
  assert.deepEqual(cells(row).slice(0, 4), ["e2e › login", "100%", "2", "1"]);
  const href = (name: string) => within(row).getByRole("link", { name }).getAttribute("href");
  assert.equal(href("last failure"), "/orgs/acme/envs/staging/executions/01FAILED");
  assert.equal(href("last run"), "/orgs/acme/envs/staging/executions/01LATEST");
  assert.equal(href("all runs"), "/orgs/acme/envs/staging/executions?workflow=hello");
});

test("the slowest table shows average and slowest durations; environment views name the workflow", async () => {
  await renderInRouter(
    <TestTable kind="slowest" tests={[home, login]} org="acme" env="staging" showWorkflow />,
  );
  const rows = within(screen.getByRole("table", { name: "Slowest tests" })).getAllByRole("row");
  assert.deepEqual(
    within(rows[0] as HTMLElement)
      .getAllByRole("columnheader")
      .map((h) => h.textContent),
    ["Workflow", "Test", "Average", "Slowest", "Runs", "Open"],
  );
  assert.deepEqual(cells(rows[1] as HTMLElement).slice(0, 5), [
    "hello",
    "e2e › home",
    "600 ms",
    "700 ms",
    "3",
  ]);
  // A test that never failed has no "last failure" link.
  assert.equal(within(rows[1] as HTMLElement).queryByRole("link", { name: "last failure" }), null);
});

test("empty test tables and reasons say so", async () => {
  await renderInRouter(
    <>
      <TestTable kind="flaky" tests={[]} org="acme" env="staging" />
      <FailureReasons reasons={[]} />
    </>,
  );
  screen.getByText("No flaky tests: none both passed and failed in this window");
  screen.getByText("No failures in this window");
  assert.equal(screen.queryByRole("table"), null);
});

test("failure reasons are listed with their counts", () => {
  render(<FailureReasons reasons={workflowInsights.failureReasons} />);
  const [, row] = within(screen.getByRole("table", { name: "Failure reasons" })).getAllByRole("row");
  assert.deepEqual(cells(row as HTMLElement), ["tests: exit code 1", "2"]);
});

test("the window selector offers the windows and reports a choice; ?days falls back to the default", () => {
  const chosen: number[] = [];
  render(<DaysSelect days={14} onChange={(n) => chosen.push(n)} />);
  const select = screen.getByLabelText("Window") as HTMLSelectElement;
  assert.deepEqual(
    [...select.options].map((o) => o.value),
    ["7", "14", "30", "90"],
  );
  fireEvent.change(select, { target: { value: "30" } });
  assert.deepEqual(chosen, [30]);
  assert.equal(parseDays("7"), 7);
  assert.equal(parseDays("5"), DEFAULT_DAYS);
  assert.equal(parseDays(undefined), DEFAULT_DAYS);
});

test("chart series come from the daily aggregates; days without a measurement are gaps", () => {
  const s = chartSeries(workflowInsights.daily);
  // Bars stack: drawn at running totals, each showing its own count.
  assert.deepEqual(
    s.outcomes.map((x) => [x.label, x.values, x.shown ?? x.values]),
    [
      ["Aborted or canceled", [2, 2, 2], [0, 1, 1]],
      ["Failed", [2, 1, 1], [1, 0, 1]],
      ["Passed", [1, 1, 0], [1, 1, 0]],
      ["Pass rate", [50, 100, 0], [50, 100, 0]],
    ],
  );
  assert.equal(s.outcomes[3]?.axis, "right");
  assert.deepEqual(s.duration[0]?.values, [10_000, null, null]);
  assert.deepEqual(s.duration[1]?.values, [20_000, null, null]);
});
