/**
 * Next firing times of a cron schedule (`spec.events[].cronjob`), for display. Tiny and
 * dependency-free so it can live in the initial bundle: 5 fields (minute hour day month weekday)
 * or 6 with seconds first, lists, ranges, steps, month and weekday names, `?`, weekday 7 as
 * Sunday, `@hourly`-style macros; day-of-month and weekday both restricted means either (Vixie
 * cron). Evaluated in the schedule's IANA time zone (UTC when absent) through Intl. The control
 * plane validates and fires schedules with cron-parser; `L`, `W` and `#` are left to it: for
 * those `nextRuns` says it cannot tell.
 */

interface CronFields {
  seconds: Set<number>;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  anyDay: boolean;
  anyWeekday: boolean;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function field(text: string, min: number, max: number, names?: string[], offset = 0): Set<number> {
  const values = new Set<number>();
  const value = (token: string): number => {
    const named = names?.indexOf(token.toLowerCase()) ?? -1;
    const n = named >= 0 ? named + offset : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`"${token}" is out of range`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === "*" || range === "?") [from, to] = [min, max];
    else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      [from, to] = [value(a), value(b)];
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    if (from > to) throw new Error(`bad range "${range}"`);
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

/** Parses an expression; throws with a reason when this helper cannot read it. */
export function parseCron(expression: string): CronFields {
  const text = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) throw new Error("expected 5 or 6 fields");
  const [sec, min, hour, day, month, weekday] = (parts.length === 5 ? ["0", ...parts] : parts) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const weekdays = field(weekday, 0, 7, WEEKDAYS);
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    seconds: field(sec, 0, 59),
    minutes: field(min, 0, 59),
    hours: field(hour, 0, 23),
    days: field(day, 1, 31),
    months: field(month, 1, 12, MONTHS, 1),
    weekdays,
    anyDay: day === "*" || day === "?",
    anyWeekday: weekday === "*" || weekday === "?",
  };
}

interface Local {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(ms: number, timeZone: string): Local {
  if (timeZone === "UTC") {
    const d = new Date(ms);
    return {
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  const local: Local = { month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const part of format.formatToParts(ms)) {
    if (part.type === "weekday") local.weekday = WEEKDAYS.indexOf(part.value.toLowerCase().slice(0, 3));
    else if (part.type in local)
      local[part.type as keyof Local] = Number(part.value) % (part.type === "hour" ? 24 : 100);
  }
  return local;
}

const nextIn = (values: Set<number>, after: number, max: number): number | undefined => {
  for (let n = after; n <= max; n++) if (values.has(n)) return n;
  return undefined;
};

/**
 * The next `count` firing times after `fromMs` (epoch ms), or an error message when the
 * expression or time zone is beyond this helper. Looks at most about four years ahead.
 */
export function nextRuns(
  expression: string,
  timeZone: string | undefined,
  fromMs: number,
  count = 3,
): { ok: true; times: number[] } | { ok: false; reason: string } {
  let cron: CronFields;
  const zone = timeZone ?? "UTC";
  try {
    cron = parseCron(expression);
    if (zone !== "UTC") localParts(fromMs, zone);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const times: number[] = [];
  let t = Math.floor(fromMs / 1000) * 1000 + 1000;
  const limit = fromMs + 4 * 366 * 86_400_000;
  for (let guard = 0; guard < 100_000 && t < limit && times.length < count; guard++) {
    const p = localParts(t, zone);
    const dayOk =
      cron.anyDay && cron.anyWeekday
        ? true
        : cron.anyDay
          ? cron.weekdays.has(p.weekday)
          : cron.anyWeekday
            ? cron.days.has(p.day)
            : cron.days.has(p.day) || cron.weekdays.has(p.weekday);
    const intoDay = p.hour * 3600 + p.minute * 60 + p.second;
    if (!cron.months.has(p.month) || !dayOk) {
      t += (86_400 - intoDay) * 1000; // next local midnight
      continue;
    }
    // A wanted hour skipped by a daylight-saving gap fires in the hour after it, as cron does.
    const gapped = () => cron.hours.has(p.hour - 1) && localParts(t - 3_600_000, zone).hour === p.hour - 2;
    if (!cron.hours.has(p.hour) && !(zone !== "UTC" && p.hour > 1 && gapped())) {
      t += (3600 - p.minute * 60 - p.second) * 1000;
      continue;
    }
    if (!cron.minutes.has(p.minute)) {
      const minute = nextIn(cron.minutes, p.minute + 1, 59);
      t +=
        minute === undefined
          ? (3600 - p.minute * 60 - p.second) * 1000
          : ((minute - p.minute) * 60 - p.second) * 1000;
      continue;
    }
    const second = nextIn(cron.seconds, p.second, 59);
    if (second === undefined) {
      t += (60 - p.second) * 1000;
      continue;
    }
    if (second !== p.second) {
      t += (second - p.second) * 1000;
      continue;
    }
    times.push(t);
    t += 1000;
  }
  return { ok: true, times };
}
