import { formatDuration } from "../lib/format.ts";

/** A small duration trend; its text alternative lists the values. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  if (values.length < 2)
    return <span className="muted small">{values.length === 1 ? formatDuration(values[0]) : "–"}</span>;
  const width = 96;
  const height = 24;
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`,
  );
  const description = `${label}: ${values.map((v) => formatDuration(v)).join(", ")}`;
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={description}>
      <title>{description}</title>
      <polyline points={points.join(" ")} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
