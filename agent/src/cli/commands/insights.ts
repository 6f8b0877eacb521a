/**
 * `assay insights [WORKFLOW] [--days N] [-o json]`: runs, pass rate, durations, failure reasons
 * and flaky, slow and failing tests of the environment, or of one workflow.
 */
import type { EnvInsights, Percentiles, TestInsight, WorkflowInsights } from "@assay/shared";
import type { Command } from "commander";
import { CliError, type CliIo, unwrap } from "../io.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

const segment = encodeURIComponent;

const seconds = (ms: number | null) =>
  ms === null ? "–" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
const percent = (rate: number | null) => (rate === null ? "–" : `${Math.round(rate * 1000) / 10}%`);
const spread = (p: Percentiles) => `p50 ${seconds(p.p50)}, p95 ${seconds(p.p95)}`;

function printTests(io: CliIo, title: string, tests: TestInsight[], line: (t: TestInsight) => string) {
  if (tests.length === 0) return;
  io.stdout.write(`\n${title}\n`);
  for (const t of tests.slice(0, 10)) io.stdout.write(`  ${t.suite} › ${t.name}  ${line(t)}\n`);
}

function print(io: CliIo, title: string, body: WorkflowInsights | EnvInsights) {
  io.stdout.write(`${title}, ${body.from} to ${body.to} (${body.days} days)\n`);
  const apart = [`${body.aborted} aborted`, `${body.canceled} canceled`].join(", ");
  io.stdout.write(
    `  runs ${body.runs}: ${body.passed} passed, ${body.failed} failed, ${body.timeout} timed out, ${body.lost} lost (${apart})\n`,
  );
  io.stdout.write(`  pass rate ${percent(body.passRate)} (aborted and canceled runs not counted)\n`);
  io.stdout.write(`  duration ${spread(body.durationMs)}; queue ${spread(body.queueMs)}\n`);
  if ("workflows" in body && body.workflows.length > 0) {
    io.stdout.write("\nWorkflows\n");
    for (const w of body.workflows)
      io.stdout.write(`  ${w.workflow}  ${w.runs} runs  ${percent(w.passRate)} passed\n`);
  }
  if (body.failureReasons.length > 0) {
    io.stdout.write("\nFailure reasons\n");
    for (const r of body.failureReasons.slice(0, 10)) io.stdout.write(`  ${r.count}×  ${r.reason}\n`);
  }
  printTests(
    io,
    "Flaky tests",
    body.flakyTests,
    (t) =>
      `${t.passed} passed, ${t.failed} failed, flip rate ${percent(t.flipRate)}, last failed in ${t.lastFailedExecutionId}`,
  );
  printTests(
    io,
    "Slowest tests",
    body.slowestTests,
    (t) => `avg ${seconds(t.avgDurationMs)}, max ${seconds(t.maxDurationMs)}`,
  );
  printTests(io, "Most failing tests", body.mostFailingTests, (t) => `${t.failed} of ${t.runs} runs failed`);
}

export const registerInsightsCommands = (program: Command, io: CliIo): void => {
  withApi(
    program
      .command("insights")
      .description("runs, pass rate, durations and flaky tests of the environment or of one workflow")
      .argument("[workflow]", "one workflow (default: the whole environment)")
      .option("--days <n>", "the window in days, 1-90", "14"),
    io,
    async ({ client, args, structured, emit, options }: ApiCommandContext<{ days: string }>) => {
      const days = Number(options.days);
      if (!Number.isInteger(days) || days < 1 || days > 90) {
        throw new CliError(`--days must be a whole number from 1 to 90 (got "${options.days}")`);
      }
      const workflow = args[0];
      const path = workflow
        ? `workflows/${segment(workflow)}/insights?days=${days}`
        : `insights?days=${days}`;
      const what = workflow ? `insights of workflow "${workflow}"` : "the environment's insights";
      const body = unwrap(await client.request<WorkflowInsights | EnvInsights>("GET", path), what);
      if (structured) return emit(body);
      print(io, workflow ? `Workflow ${workflow}` : "Environment", body);
    },
  );
};
