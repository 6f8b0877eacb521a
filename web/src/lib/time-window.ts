/** Time windows of the executions filter ("since 24 hours ago"), in the URL as `since=24h`. */
export const SINCE_WINDOWS = ["1h", "24h", "7d", "30d"] as const;
export type SinceWindow = (typeof SINCE_WINDOWS)[number];

export const SINCE_LABELS: Record<SinceWindow, string> = {
  "1h": "Last hour",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
};

const MS: Record<SinceWindow, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};

/** The earliest creation time (epoch ms) a window admits, seen from `now`. */
export const sinceBoundary = (window: SinceWindow, now = Date.now()): number => now - MS[window];

/** `team=web, ci=nightly` as the API's `key=value` filters; throws on a malformed entry. */
export function parseTagFilter(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const eq = t.indexOf("=");
      if (eq <= 0) throw new Error(`"${t}" must look like key=value`);
      return `${t.slice(0, eq).trim()}=${t.slice(eq + 1).trim()}`;
    });
}
