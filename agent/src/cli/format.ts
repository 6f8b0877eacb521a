/** Plain-text rendering for the read commands: tables, durations, the step tree. */
import type { ExecutionView, StepState } from "@assay/shared";
import { describeTarget } from "@assay/shared/workflow";

/** Left-aligned columns separated by two spaces; the header row first. */
export const table = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
};

/** "850ms", "12.3s", "4m05s", "1h02m". */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
};

/** Duration between two ISO timestamps, or "" when one is missing. */
export const between = (from: string | undefined, to: string | undefined): string => {
  if (from === undefined) return "";
  const end = to === undefined ? Date.now() : Date.parse(to);
  return formatDuration(Math.max(0, end - Date.parse(from)));
};

/** "2024-05-01 12:00:03" in local time, compact for tables. */
export const formatTime = (iso: string | undefined): string => {
  if (iso === undefined) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

const ICON: Record<string, string> = {
  passed: "✔",
  failed: "✖",
  timeout: "⏱",
  aborted: "■",
  skipped: "-",
  running: "▶",
  queued: "·",
};

/**
 * Whether a step's exit code says something: not 0, and not the wire's -1 for "no process of its
 * own" on a passed group step.
 */
const hasExitCode = (step: StepState): boolean =>
  step.exitCode !== undefined && step.exitCode !== 0 && !(step.exitCode === -1 && step.status === "passed");

/** The step tree, indented by depth, with ref, status, duration, exit code and message. */
export const stepTree = (steps: StepState[]): string => {
  const children = new Map<string | undefined, StepState[]>();
  const refs = new Set(steps.map((s) => s.ref));
  for (const step of steps) {
    const parent = step.parentRef !== undefined && refs.has(step.parentRef) ? step.parentRef : undefined;
    children.set(parent, [...(children.get(parent) ?? []), step]);
  }
  const lines: string[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const step of children.get(parent) ?? []) {
      const details = [
        step.status,
        between(step.startedAt, step.finishedAt),
        hasExitCode(step) ? `exit ${step.exitCode}` : "",
      ].filter((d) => d !== "");
      const message = step.message ? ` — ${step.message}` : "";
      lines.push(
        `${"  ".repeat(depth + 1)}${ICON[step.status] ?? "?"} ${step.ref}  ${step.name} (${details.join(", ")})${message}`,
      );
      for (const warning of step.warnings) lines.push(`${"  ".repeat(depth + 2)}warning: ${warning}`);
      visit(step.ref, depth + 1);
    }
  };
  visit(undefined, 0);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
};

/** Who or what started an execution, in a few words ("" when not recorded). */
export const startedByText = (e: Pick<ExecutionView, "startedBy">): string => {
  const by = e.startedBy;
  if (by === undefined) return "";
  switch (by.kind) {
    case "user":
      return by.email || by.id;
    case "api":
      return `token ${by.name || by.id}`;
    case "schedule":
      return `schedule ${by.cron}`;
    case "execution":
      return `execution ${by.id}`;
  }
};

/** A child execution as `assay execution get` lists it under its parent. */
export interface ChildSummary {
  id: string;
  workflowName: string;
  number?: number;
  status: string;
  /** The parent's `execute` step that started it. */
  step?: string;
}

/** "since 2024-05-01 12:00:03" while paused, "requested" between the ask and the agent's answer. */
const pausedText = (e: ExecutionView): string => {
  if (e.status !== "running") return "";
  if (e.pausedAt !== undefined)
    return e.pauseRequested === false
      ? `since ${formatTime(e.pausedAt)} (resume requested)`
      : `since ${formatTime(e.pausedAt)}`;
  return e.pauseRequested === true ? "requested" : "";
};

/** The child executions, one a line: status icon, id, workflow and run number, status, step. */
const childLines = (children: readonly ChildSummary[]): string =>
  children
    .map((c) => {
      const run = c.number === undefined ? c.workflowName : `${c.workflowName} #${c.number}`;
      const step = c.step === undefined ? "" : `, step ${c.step}`;
      return `  ${ICON[c.status] ?? "?"} ${c.id}  ${run} (${c.status}${step})\n`;
    })
    .join("");

/**
 * Summary lines, the step tree and the child executions of `assay execution get`; `tests` is
 * the JUnit line.
 */
export const executionSummary = (
  e: ExecutionView,
  tests?: string,
  children: readonly ChildSummary[] = [],
): string => {
  const rows: [string, string][] = [
    ["Execution", e.id],
    ["Workflow", e.workflowName],
    ["Run", e.number === undefined ? "" : `#${e.number}`],
    ["Status", e.status],
    ["Paused", pausedText(e)],
    ["Parent", e.parent ? `${e.parent.executionId} (step ${e.parent.stepRef})` : ""],
    ["Started by", e.parent ? "" : startedByText(e)],
    ["Re-run of", e.rerunOf ?? ""],
    ["Replicas", e.replicaGroup ? `of ${e.replicaGroup} (--tag assay.io/replicas=${e.replicaGroup})` : ""],
    ["Created", formatTime(e.createdAt)],
    ["Started", formatTime(e.startedAt)],
    ["Finished", formatTime(e.finishedAt)],
    ["Duration", between(e.startedAt, e.finishedAt)],
    ["Agent", e.agentId ?? ""],
    ["Target", e.target ? describeTarget(e.target) : ""],
    ["Waiting", e.status === "queued" ? (e.waiting ?? "") : ""],
    ["Log", `${e.logBytes} bytes`],
    ["Message", e.message ?? ""],
    ["Tests", tests ?? ""],
    [
      "Config",
      Object.entries(e.config)
        .map(([k, v]) => `${k}=${v}`)
        .join(", "),
    ],
    [
      "Tags",
      Object.entries(e.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(", "),
    ],
  ];
  const head = rows
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${`${k}:`.padEnd(11)} ${v}`)
    .join("\n");
  const warnings = e.warnings.map((w) => `warning: ${w}\n`).join("");
  const tree = stepTree(e.steps);
  const kids = children.length > 0 ? `Children:\n${childLines(children)}` : "";
  return `${head}\n${warnings}${tree ? `Steps:\n${tree}` : ""}${kids}`;
};

/** Process exit code for an execution's final status (run --watch). */
export const exitCodeFor = (status: string): number =>
  status === "passed" ? 0 : status === "failed" ? 1 : 2;
