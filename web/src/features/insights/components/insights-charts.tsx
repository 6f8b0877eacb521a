/** The window's daily series as charts: outcomes and pass rate, duration, queue time, peaks. */
import type { InsightsDay } from "@assay/shared";
import { cpu, duration, memory } from "./format.ts";
import { type ChartSeries, TimeChart } from "./time-chart.tsx";

const COLORS = {
  passed: "#15803d",
  failed: "#b91c1c",
  stopped: "#6b7280",
  rate: "#4f46e5",
  p50: "#2563eb",
  p95: "#d97706",
};

const count = (value: number) => String(Math.round(value));

/**
 * Runs per day as stacked bars (passed at the bottom, then failed, then stopped): each bar is
 * drawn at its running total, tallest first so the shorter ones sit in front, and shows its own
 * count in the legend and tooltip. The pass rate is a line on the right axis.
 */
function outcomeSeries(daily: readonly InsightsDay[]): ChartSeries[] {
  const passed = daily.map((d) => d.passed);
  const failed = daily.map((d) => d.failed + d.timeout + d.lost);
  const stopped = daily.map((d) => d.aborted + d.canceled);
  return [
    {
      label: "Aborted or canceled",
      values: daily.map((_, i) => (passed[i] ?? 0) + (failed[i] ?? 0) + (stopped[i] ?? 0)),
      shown: stopped,
      color: COLORS.stopped,
      kind: "bars",
    },
    {
      label: "Failed",
      values: daily.map((_, i) => (passed[i] ?? 0) + (failed[i] ?? 0)),
      shown: failed,
      color: COLORS.failed,
      kind: "bars",
    },
    { label: "Passed", values: passed, color: COLORS.passed, kind: "bars" },
    {
      label: "Pass rate",
      values: daily.map((d) => (d.passRate == null ? null : d.passRate * 100)),
      color: COLORS.rate,
      axis: "right",
    },
  ];
}

/** The series each chart plots, from the daily aggregates (exported for tests). */
export function chartSeries(daily: readonly InsightsDay[]) {
  const pick = (f: (d: InsightsDay) => number | null) => daily.map(f);
  const pair = (f: (d: InsightsDay) => { p50: number | null; p95: number | null }): ChartSeries[] => [
    { label: "p50", values: pick((d) => f(d).p50), color: COLORS.p50 },
    { label: "p95", values: pick((d) => f(d).p95), color: COLORS.p95 },
  ];
  return {
    outcomes: outcomeSeries(daily),
    duration: pair((d) => d.durationMs),
    queue: pair((d) => d.queueMs),
    cpu: pair((d) => d.cpuPeakPercent),
    memory: pair((d) => d.memoryPeakBytes),
  };
}

export function InsightsCharts({ daily }: { daily: readonly InsightsDay[] }) {
  const days = daily.map((d) => d.day);
  const s = chartSeries(daily);
  return (
    <div className="charts">
      <TimeChart
        title="Runs and pass rate per day"
        days={days}
        series={s.outcomes}
        left={{ label: "runs", format: count, integer: true }}
        right={{ label: "pass rate", format: (v) => `${Math.round(v)}%`, range: [0, 100] }}
      />
      <TimeChart
        title="Duration"
        days={days}
        series={s.duration}
        left={{ label: "duration", format: duration }}
      />
      <TimeChart
        title="Queue time"
        days={days}
        series={s.queue}
        left={{ label: "queue", format: duration }}
      />
      <TimeChart title="CPU peak" days={days} series={s.cpu} left={{ label: "% of a core", format: cpu }} />
      <TimeChart
        title="Memory peak"
        days={days}
        series={s.memory}
        left={{ label: "memory", format: memory }}
      />
    </div>
  );
}
