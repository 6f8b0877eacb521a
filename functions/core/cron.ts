/**
 * Cron expressions of `events[].cronjob` (5 fields, or 6 with seconds, names, ranges, steps,
 * `@daily`-style macros) evaluated in an IANA time zone. Parsing and DST handling come from
 * `cron-parser` (widely used, maintained, timezone-aware through luxon) rather than a home-made
 * parser: daylight-saving gaps and repeats are where hand-written cron code goes wrong.
 */
import { AppError, type FieldIssue } from "@assay/shared";

/**
 * The parser is loaded on first use: most processes (the API answering reads, the ingress)
 * never evaluate a cron expression, and cron-parser with luxon is ~100 KB of start-up code.
 */
let parser: Promise<typeof import("cron-parser").CronExpressionParser> | undefined;
const loadParser = () => {
  parser ??= import("cron-parser").then((m) => m.CronExpressionParser);
  return parser;
};

/** Most ticks of one cron job fired by one sweep (a long outage does not start a storm). */
export const MAX_TICKS_PER_SWEEP = 5;

/** Refuses invalid cron expressions or time zones with the path of the field. */
export async function checkSchedules(
  events: Array<{ cronjob?: { cron: string; timezone?: string } }>,
): Promise<void> {
  const issues: FieldIssue[] = [];
  for (const [i, event] of events.entries()) {
    if (event.cronjob === undefined) continue;
    const problem = await cronProblem(event.cronjob.cron, event.cronjob.timezone);
    if (problem !== undefined) issues.push({ path: `spec.events[${i}].cronjob`, message: problem });
  }
  if (issues.length > 0) {
    throw new AppError("invalid_argument", `invalid workflow: ${issues[0]?.path}: ${issues[0]?.message}`, {
      issues,
    });
  }
}

/** Why `cron` (in `timezone`) is invalid, or undefined when it is fine. */
export async function cronProblem(cron: string, timezone: string | undefined): Promise<string | undefined> {
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: timezone });
    } catch {
      return `timezone ${timezone} is not an IANA time zone`;
    }
  }
  const CronExpressionParser = await loadParser();
  try {
    CronExpressionParser.parse(cron, { tz: timezone ?? "UTC", strict: false });
    return undefined;
  } catch (error) {
    return `cron "${cron}" is invalid: ${(error as Error).message}`;
  }
}

/** Firing times of `cron` in the interval (`afterMs`, `untilMs`], oldest first, at most `limit`. */
export async function ticksBetween(
  cron: string,
  timezone: string | undefined,
  afterMs: number,
  untilMs: number,
  limit = MAX_TICKS_PER_SWEEP,
): Promise<number[]> {
  const CronExpressionParser = await loadParser();
  const ticks: number[] = [];
  const interval = CronExpressionParser.parse(cron, {
    tz: timezone ?? "UTC",
    currentDate: new Date(afterMs),
    endDate: new Date(untilMs + 1),
  });
  while (interval.hasNext()) {
    const next = interval.next().getTime();
    if (next > untilMs) break;
    ticks.push(next);
  }
  // With more than `limit` missed, the newest ones matter: older ones are stale.
  return ticks.slice(-limit);
}
