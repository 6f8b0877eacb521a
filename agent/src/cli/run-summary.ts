/**
 * What `run --watch` and `execution get` add around the raw log: a header line whenever the
 * output moves to another step, and a closing summary (status, run number, duration, JUnit
 * totals, step counts, the dashboard link). Everything here is best effort on top of the
 * execution's result: a report or link that cannot be read is left out, never an error.
 */
import type { ExecutionView, OutputStream, StepState, TestCounts } from "@assay/shared";
import { type Clock, sleep } from "@assay/shared/time";
import type { ApiClient } from "./api-client.ts";
import { createStreamPainter } from "./follow-logs.ts";
import { between } from "./format.ts";

/**
 * Writes log bytes, with `── name (ref)` on its own line each time the step changes (and, with
 * `color`, stderr bytes in red).
 */
export function createStepHeaders(
  steps: readonly StepState[],
  out: (chunk: string | Uint8Array) => void,
  /** Mark stderr bytes in red (the output is a terminal). */
  color = false,
): (bytes: Uint8Array, step: string | undefined, stream: OutputStream) => void {
  const names = new Map(steps.map((s) => [s.ref, s.name]));
  const painter = createStreamPainter(color);
  let current: string | undefined;
  let atLineStart = true;
  return (bytes, step, stream) => {
    if (step !== undefined && step !== "" && step !== current) {
      const off = painter.reset();
      if (off.length > 0) out(off);
      if (!atLineStart) out("\n");
      const name = names.get(step);
      out(`── ${name === undefined || name === step ? step : `${name} (${step})`}\n`);
      current = step;
      atLineStart = true;
    }
    if (bytes.length === 0) return;
    out(painter.paint(bytes, stream));
    atLineStart = bytes[bytes.length - 1] === 0x0a;
  };
}

/** How long to wait for uploaded artifacts to be unpacked before the report is read. */
const REPORT_WAIT_MS = 15_000;
const REPORT_POLL_MS = 250;

/**
 * The execution's JUnit totals once its uploaded artifacts are processed (the unpack worker
 * runs after the run ends), or undefined when they cannot be read in time (`waitMs` on `clock`).
 */
export async function testTotals(
  client: ApiClient,
  id: string,
  options: { clock: Clock; waitMs?: number },
): Promise<TestCounts | undefined> {
  const { clock } = options;
  const deadline = clock.now() + (options.waitMs ?? REPORT_WAIT_MS);
  for (;;) {
    const listing = await client.listArtifacts(id);
    if (!listing.ok) return undefined;
    const pending = Array.isArray(listing.value.pending) ? listing.value.pending.length : 0;
    if (pending === 0 || clock.now() >= deadline) break;
    await sleep(clock, REPORT_POLL_MS);
  }
  const report = await client.getReport(id);
  const counts = report.ok ? report.value.counts : undefined;
  return counts && typeof counts.tests === "number" ? counts : undefined;
}

/** `12 passed, 1 failed, 2 skipped (15 tests)`, or `none reported`. */
export const formatTestTotals = (counts: TestCounts | undefined): string => {
  if (counts === undefined || counts.tests === 0) return "none reported";
  const parts = [`${counts.passed} passed`];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  if (counts.errors > 0) parts.push(`${counts.errors} errors`);
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  return `${parts.join(", ")} (${counts.tests} tests)`;
};

/** `3 passed, 1 failed, 1 skipped` over the leaves and groups of the step tree. */
export const formatStepCounts = (steps: readonly StepState[]): string => {
  const counts = new Map<string, number>();
  for (const step of steps) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  return [...counts.entries()].map(([status, n]) => `${n} ${status}`).join(", ");
};

/** The dashboard page of an execution, when the control plane says where the dashboard is. */
export async function dashboardLink(client: ApiClient, e: ExecutionView): Promise<string | undefined> {
  const me = await client.me();
  const base = me.ok && typeof me.value.dashboardUrl === "string" ? me.value.dashboardUrl : undefined;
  if (!base) return undefined;
  const seg = encodeURIComponent;
  return `${base.replace(/\/+$/, "")}/orgs/${seg(e.orgId)}/envs/${seg(e.envId)}/executions/${seg(e.id)}`;
}

/** `smoke #3`, or the workflow's name alone for runs stored before numbers were kept. */
export const runLabel = (e: Pick<ExecutionView, "workflowName" | "number">): string =>
  e.number === undefined ? e.workflowName : `${e.workflowName} #${e.number}`;

/** The closing lines of `run --watch` (after the log); the report is waited for on `clock`. */
export async function runSummary(client: ApiClient, e: ExecutionView, clock: Clock): Promise<string[]> {
  const [tests, link] = await Promise.all([testTotals(client, e.id, { clock }), dashboardLink(client, e)]);
  const lines = [
    `  run       ${runLabel(e)}`,
    `  duration  ${between(e.startedAt, e.finishedAt) || "-"}`,
    `  tests     ${formatTestTotals(tests)}`,
  ];
  if (e.steps.length > 0) lines.push(`  steps     ${formatStepCounts(e.steps)}`);
  if (link) lines.push(`  dashboard ${link}`);
  return lines;
}
