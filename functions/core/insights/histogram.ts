/**
 * Log-scale histograms: a value v lands in bucket round(ln(v + 1) / ln(1.15)), so each bucket is
 * 15 % wide and a percentile read back is within about 7 % of the true one. Buckets are plain
 * string keys with counts, which DynamoDB can add to atomically (`ADD h_12 :one`) and which merge
 * by summing: days, workflows and environments combine without the raw samples.
 */

/** Bucket index -> how many samples fell in it. */
export type Histogram = Record<string, number>;

const STEP = Math.log(1.15);

/** The bucket of a non-negative value (negative and non-finite values have none). */
export const bucketOf = (value: number): number | undefined =>
  Number.isFinite(value) && value >= 0 ? Math.round(Math.log(value + 1) / STEP) : undefined;

/** The value a bucket stands for (the inverse of bucketOf, at the bucket's centre). */
export const valueOfBucket = (bucket: number): number => Math.exp(bucket * STEP) - 1;

/** Sums histograms. */
export function mergeHistograms(histograms: Iterable<Histogram>): Histogram {
  const merged: Histogram = {};
  for (const h of histograms) for (const [b, n] of Object.entries(h)) merged[b] = (merged[b] ?? 0) + n;
  return merged;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** p50, p95 and the highest bucket's value, rounded; nulls for an empty histogram. */
export function percentilesOf(histogram: Histogram): Percentiles {
  const buckets = Object.entries(histogram)
    .map(([b, n]) => [Number(b), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const last = buckets[buckets.length - 1];
  if (total === 0 || !last) return { p50: null, p95: null, max: null };
  const highest = Math.round(valueOfBucket(last[0]));
  const at = (q: number) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const [b, n] of buckets) {
      seen += n;
      if (seen >= rank) return Math.round(valueOfBucket(b));
    }
    return highest;
  };
  return { p50: at(0.5), p95: at(0.95), max: highest };
}
