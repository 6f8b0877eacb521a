/**
 * Small statistics for benchmark samples: nearest-rank quantiles over a sorted copy, and the
 * median/spread summary every figure reports across its repeated runs.
 */

/** The q-quantile (0..1) of `samples` by nearest rank; NaN when there are none. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

/** Min and max of the per-run values: the spread printed next to each median. */
export function spread(samples: readonly number[]): { min: number; max: number } {
  return { min: Math.min(...samples), max: Math.max(...samples) };
}

/** Latency samples in milliseconds summarised as p50 and p99. */
export function latency(samplesMs: readonly number[]): { p50: number; p99: number; n: number } {
  return { p50: quantile(samplesMs, 0.5), p99: quantile(samplesMs, 0.99), n: samplesMs.length };
}

/** Rounds for display: three significant digits, integers kept whole. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}
