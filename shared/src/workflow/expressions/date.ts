/**
 * Go reference-time layouts (`2006-01-02T15:04:05.000Z07:00`) for `date(format)`, which
 * Testkube formats with Go's time package. Times are UTC, as Testkube's are. Text that is no
 * layout element is copied as is.
 */

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Testkube's default `date()` layout: RFC 3339 with milliseconds. */
export const RFC3339_MILLIS = "2006-01-02T15:04:05.000Z07:00";

const pad = (n: number, width: number, fill = "0") => String(n).padStart(width, fill);

/** Layout elements, longest first so that `January` wins over `Jan` and `2006` over `2`. */
const ELEMENTS: Array<[string, (d: Date) => string]> = [
  ["January", (d) => MONTHS[d.getUTCMonth()] ?? ""],
  ["Monday", (d) => DAYS[d.getUTCDay()] ?? ""],
  ["Z07:00", () => "Z"],
  ["-07:00", () => "+00:00"],
  ["Z0700", () => "Z"],
  ["-0700", () => "+0000"],
  [".000000000", (d) => `.${pad(d.getUTCMilliseconds(), 3)}000000`],
  [".000000", (d) => `.${pad(d.getUTCMilliseconds(), 3)}000`],
  [".000", (d) => `.${pad(d.getUTCMilliseconds(), 3)}`],
  [".999999999", (d) => fraction(d)],
  [".999999", (d) => fraction(d)],
  [".999", (d) => fraction(d)],
  ["2006", (d) => pad(d.getUTCFullYear(), 4)],
  ["Jan", (d) => (MONTHS[d.getUTCMonth()] ?? "").slice(0, 3)],
  ["Mon", (d) => (DAYS[d.getUTCDay()] ?? "").slice(0, 3)],
  ["MST", () => "UTC"],
  ["_2", (d) => pad(d.getUTCDate(), 2, " ")],
  ["01", (d) => pad(d.getUTCMonth() + 1, 2)],
  ["02", (d) => pad(d.getUTCDate(), 2)],
  ["03", (d) => pad(hour12(d), 2)],
  ["04", (d) => pad(d.getUTCMinutes(), 2)],
  ["05", (d) => pad(d.getUTCSeconds(), 2)],
  ["06", (d) => pad(d.getUTCFullYear() % 100, 2)],
  ["15", (d) => pad(d.getUTCHours(), 2)],
  ["PM", (d) => (d.getUTCHours() < 12 ? "AM" : "PM")],
  ["pm", (d) => (d.getUTCHours() < 12 ? "am" : "pm")],
  ["1", (d) => String(d.getUTCMonth() + 1)],
  ["2", (d) => String(d.getUTCDate())],
  ["3", (d) => String(hour12(d))],
  ["4", (d) => String(d.getUTCMinutes())],
  ["5", (d) => String(d.getUTCSeconds())],
];

const hour12 = (d: Date) => d.getUTCHours() % 12 || 12;
const fraction = (d: Date) =>
  d.getUTCMilliseconds() === 0 ? "" : `.${pad(d.getUTCMilliseconds(), 3).replace(/0+$/, "")}`;

/** Formats `epochMs` (UTC) with a Go layout. */
export const formatGoDate = (epochMs: number, layout: string): string => {
  const date = new Date(epochMs);
  let out = "";
  let i = 0;
  while (i < layout.length) {
    const element = ELEMENTS.find(([token]) => layout.startsWith(token, i));
    if (element === undefined) {
      out += layout[i];
      i++;
    } else {
      out += element[1](date);
      i += element[0].length;
    }
  }
  return out;
};
