/** The bench's printed table: one row per figure, medians with their spread and the baseline. */
import type { FigureResult } from "./figure.ts";

const fmt = (v: number) => (Number.isFinite(v) ? String(v) : "-");

export function tableRows(results: FigureResult[]): string[][] {
  return results.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.runs.length > 1 ? `${fmt(r.spread.min)}..${fmt(r.spread.max)}` : "",
    r.baseline ? `${fmt(r.baseline.value)} (${r.baseline.name})` : "",
    r.ratio === undefined ? "" : `${r.ratio}x`,
    r.target,
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
}

export function printTable(results: FigureResult[]): void {
  const header = ["figure", "median", "spread", "baseline (same run)", "ratio", "target", "met"];
  const rows = [header, ...tableRows(results)];
  const widths = header.map((_, c) => Math.min(70, Math.max(...rows.map((r) => (r[c] ?? "").length))));
  const line = (r: string[]) =>
    r.map((cell, c) => cell.slice(0, widths[c]).padEnd(widths[c] ?? 0)).join(" | ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const r of rows.slice(1)) console.log(line(r));
}
