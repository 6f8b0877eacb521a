/**
 * How the log viewer lays an execution's lines out: in "all steps", each top-level step opens
 * a section (a header row, collapsible) and lines of parallel workers and services carry a
 * prefix naming which one wrote them, since their output interleaves. Filtered to one step,
 * only that step's subtree shows, without headers, still prefixed where a child wrote. Pure:
 * the viewer rebuilds the rows as lines arrive.
 */
import type { StepState } from "@assay/shared";

/** A row of the viewer: a section header for a step ref, or a line by its index in the store. */
export type LogRow = { header: string } | number;

export interface LogLayout {
  rows: LogRow[];
  /** Per line index, the name to prefix it with (workers, services, nested steps). */
  prefixes: Map<number, string>;
}

/** The top-level step each ref belongs to. */
export function rootsOf(steps: StepState[]): Map<string, string> {
  const parent = new Map(steps.map((s) => [s.ref, s.parentRef]));
  const roots = new Map<string, string>();
  for (const s of steps) {
    let ref = s.ref;
    for (let up = parent.get(ref); up !== undefined; up = parent.get(ref)) ref = up;
    roots.set(s.ref, ref);
  }
  return roots;
}

export function layoutLog(options: {
  /** The step ref of each line, by index. */
  lineSteps: (index: number) => string;
  count: number;
  steps: StepState[];
  /** Only this subtree (a set of refs), or every line. */
  only?: Set<string> | undefined;
  /** Sections folded by the user (top-level refs). */
  collapsed: ReadonlySet<string>;
}): LogLayout {
  const { lineSteps, count, steps, only, collapsed } = options;
  const roots = rootsOf(steps);
  const names = new Map(steps.map((s) => [s.ref, s.name]));
  const rows: LogRow[] = [];
  const prefixes = new Map<number, string>();
  let section: string | undefined;
  for (let i = 0; i < count; i++) {
    const ref = lineSteps(i);
    if (only && !only.has(ref)) continue;
    const root = roots.get(ref) ?? ref;
    if (!only && ref !== "" && root !== section) {
      rows.push({ header: root });
      section = root;
    }
    // Lines written by a nested step (a worker, a service instance) say which one.
    const shown = only ? undefined : root;
    if (ref !== "" && ref !== shown && (only === undefined || !isTop(ref, only, steps)))
      prefixes.set(i, names.get(ref) ?? ref);
    if (!only && ref !== "" && collapsed.has(root)) continue;
    rows.push(i);
  }
  return { rows, prefixes };
}

/** Whether `ref` is the chosen step itself (the top of the filtered subtree). */
function isTop(ref: string, only: Set<string>, steps: StepState[]): boolean {
  const parent = steps.find((s) => s.ref === ref)?.parentRef;
  return parent === undefined || !only.has(parent);
}
