/**
 * A daily time-series chart on uPlot: a time axis in UTC days, one or two value axes with their
 * units, a legend that toggles series and shows the values under the cursor, and a tooltip that
 * follows the cursor. It takes the width of its container and follows it (phone to desktop).
 * Days without a measurement are gaps, not zeros.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** `right` plots on the second axis; default `left`. */
  axis?: "left" | "right";
  /** Bars for counts; lines (the default) for rates and percentiles. */
  kind?: "line" | "bars";
  /** What the legend and tooltip show when `values` are drawn stacked (cumulative). */
  shown?: (number | null)[];
}

export interface ChartAxis {
  label: string;
  format: (value: number) => string;
  /** Fixed range, e.g. [0, 100] for percentages. */
  range?: [number, number];
  /** Counts: ticks at whole numbers only. */
  integer?: boolean;
}

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

const HEIGHT = 220;
const HALF_DAY_S = 12 * 3600;
const dayFormat = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
const formatDay = (seconds: number) => dayFormat.format(seconds * 1000);

/** Seconds since the epoch of each YYYY-MM-DD (UTC midnight): uPlot's x values. */
export const dayTimestamps = (days: readonly string[]): number[] =>
  days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);

/** A box near the cursor listing the hovered day's values; hidden when the cursor leaves. */
function tooltipPlugin(format: (seriesIndex: number, index: number) => string | undefined): uPlot.Plugin {
  let tip: HTMLDivElement;
  return {
    hooks: {
      init: (u) => {
        tip = document.createElement("div");
        tip.className = "chart-tooltip";
        tip.setAttribute("role", "tooltip");
        tip.hidden = true;
        u.over.appendChild(tip);
        u.over.addEventListener("mouseleave", () => {
          tip.hidden = true;
        });
      },
      setCursor: (u) => {
        const index = u.cursor.idx;
        const left = u.cursor.left ?? -1;
        if (index == null || left < 0) {
          tip.hidden = true;
          return;
        }
        const lines = [formatDay(u.data[0][index] ?? 0)];
        u.series.forEach((series, i) => {
          const text = i > 0 && series.show !== false ? format(i, index) : undefined;
          if (text !== undefined) lines.push(`${series.label}: ${text}`);
        });
        tip.textContent = "";
        for (const [i, line] of lines.entries()) {
          const row = document.createElement("div");
          if (i === 0) row.className = "chart-tooltip-day";
          row.textContent = line;
          tip.appendChild(row);
        }
        tip.hidden = false;
        const width = u.over.clientWidth;
        tip.style.left = `${left > width / 2 ? left - tip.offsetWidth - 12 : left + 12}px`;
        tip.style.top = `${Math.max(0, (u.cursor.top ?? 0) - 10)}px`;
      },
    },
  };
}

export function TimeChart({
  title,
  days,
  series,
  left,
  right,
}: {
  title: string;
  days: readonly string[];
  series: readonly ChartSeries[];
  left: ChartAxis;
  right?: ChartAxis;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const empty = series.every((s) => s.values.every((v) => v == null));
  // One key for the data and the look: a new chart only when either really changes.
  const key = JSON.stringify([days, series, left.label, left.range, right?.label, right?.range]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for days, series and axes
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axisOf = (s: ChartSeries) => (s.axis === "right" && right ? right : left);
    const bars = uPlot.paths.bars?.({ size: [0.6, 48] });
    const scale = (axis?: ChartAxis): uPlot.Scale => ({
      range: axis?.range
        ? () => axis.range as [number, number]
        : (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1],
    });
    const valueAxis = (axis: ChartAxis, scaleKey: string, side: 1 | 3): uPlot.Axis => ({
      scale: scaleKey,
      side,
      label: axis.label,
      size: 56,
      grid: { show: side === 3 },
      // With nothing measured the range is [0, 1]: whole steps keep the ticks from repeating.
      ...(axis.integer || empty ? { incrs: INTEGER_STEPS } : {}),
      values: (_u, values) => values.map((v) => axis.format(v)),
    });
    // The value a series shows for day `index`: its own number even when drawn stacked.
    const shown = (s: ChartSeries, index: number) => (s.shown ?? s.values)[index] ?? null;
    const options: uPlot.Options = {
      width: el.clientWidth || 320,
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      // Half a day of margin each side, so the first and last days' bars are drawn whole.
      scales: {
        x: { time: true, range: (_u, min, max) => [min - HALF_DAY_S, max + HALF_DAY_S] },
        y: scale(left),
        ...(right ? { right: scale(right) } : {}),
      },
      legend: { live: true },
      cursor: { points: { size: 7 } },
      series: [
        { label: "Day", value: (_u, v) => (v == null ? "–" : formatDay(v)) },
        ...series.map(
          (s): uPlot.Series => ({
            label: s.label,
            scale: s.axis === "right" && right ? "right" : "y",
            stroke: s.color,
            width: 2,
            spanGaps: false,
            ...(s.kind === "bars" && bars
              ? { paths: bars, fill: `${s.color}99`, points: { show: false } }
              : {}),
            value: (_u, v, _i, index) => {
              const value = index == null ? v : shown(s, index);
              return value == null ? "–" : axisOf(s).format(value);
            },
          }),
        ),
      ],
      axes: [
        { values: (_u, ticks) => ticks.map(formatDay), space: 60 },
        valueAxis(left, "y", 3),
        ...(right ? [valueAxis(right, "right", 1)] : []),
      ],
      plugins: [
        tooltipPlugin((i, index) => {
          const s = series[i - 1];
          const value = s ? shown(s, index) : null;
          return s && value != null ? axisOf(s).format(value) : undefined;
        }),
      ],
    };
    const chart = new uPlot(options, [dayTimestamps(days), ...series.map((s) => s.values)], el);
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== chart.width)
        chart.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [key]);
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      {empty ? <p className="muted small chart-empty">Nothing measured in this window.</p> : null}
      <div ref={ref} className="chart-body" />
    </figure>
  );
}
