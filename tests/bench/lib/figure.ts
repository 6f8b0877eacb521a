/**
 * The result shape of one benchmark figure and how a figure process hands it to the runner.
 *
 * A figure is measured in several runs; each run yields the system's value and, measured in the
 * same run on the same machine, the baseline's. The reported value is the median of the runs,
 * the spread their min..max, and the ratio median(system) / median(baseline). Targets are
 * evaluated and printed, never asserted: no benchmark fails a build.
 */
import { appendFileSync } from "node:fs";
import { median, round, spread } from "./stats.ts";

export interface FigureResult {
  /** Stable key, e.g. `dispatch.p99`. */
  id: string;
  /** What is measured, for the table. */
  name: string;
  unit: string;
  /** Median over runs. */
  value: number;
  runs: number[];
  spread: { min: number; max: number };
  baseline?: { name: string; value: number; runs: number[]; spread: { min: number; max: number } };
  /** median(value) / median(baseline). */
  ratio?: number;
  /** The target, in words. */
  target: string;
  /** Whether the median meets the target (undefined: informational figure). */
  met?: boolean;
  notes?: string[];
}

export interface FigureInput {
  id: string;
  name: string;
  unit: string;
  runs: number[];
  baseline?: { name: string; runs: number[] };
  target: string;
  /** Judges the medians; omit for figures without a target. */
  meets?: (value: number, ratio: number | undefined) => boolean;
  notes?: string[];
}

/** Builds a result from per-run samples (medians, spread, ratio, target verdict). */
export function figure(input: FigureInput): FigureResult {
  const value = round(median(input.runs));
  const baseline = input.baseline
    ? {
        name: input.baseline.name,
        value: round(median(input.baseline.runs)),
        runs: input.baseline.runs.map(round),
        spread: mapSpread(spread(input.baseline.runs)),
      }
    : undefined;
  const ratio =
    baseline && baseline.value !== 0
      ? round(median(input.runs) / median(input.baseline?.runs ?? []))
      : undefined;
  return {
    id: input.id,
    name: input.name,
    unit: input.unit,
    value,
    runs: input.runs.map(round),
    spread: mapSpread(spread(input.runs)),
    ...(baseline ? { baseline, ratio } : {}),
    target: input.target,
    ...(input.meets ? { met: input.meets(median(input.runs), ratio) } : {}),
    ...(input.notes?.length ? { notes: input.notes } : {}),
  };
}

const mapSpread = (s: { min: number; max: number }) => ({ min: round(s.min), max: round(s.max) });

/** True when the runner asked for the short variant (`npm run bench -- --quick`). */
export const quick = process.argv.includes("--quick");

/** Runs per figure: medians of several runs, fewer with --quick. */
export const runCount = (full: number, short = 3): number => (quick ? short : full);

/**
 * Hands results to the runner (a JSON line per figure in the file named by BENCH_OUT), or prints
 * them when a figure file is run on its own.
 */
export function report(results: FigureResult[]): void {
  const out = process.env.BENCH_OUT;
  for (const r of results) {
    if (out) appendFileSync(out, `${JSON.stringify(r)}\n`);
    else console.log(JSON.stringify(r));
  }
}

/** Progress for the person running the bench (stderr, so stdout stays clean). */
export function progress(message: string): void {
  process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
