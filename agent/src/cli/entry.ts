/**
 * The process entry of `assay`: runs the CLI with the real process streams and clock and sets
 * the exit code. Imported by bin/assay.ts in a source checkout and bundled as dist/assay.js.
 */
import { systemClock } from "@assay/shared/time";
import { main } from "./main.ts";

/** Colours on a stream: a terminal, or FORCE_COLOR set (not "0"); NO_COLOR turns them off. */
const colorOn = (stream: { isTTY?: boolean }): boolean =>
  (stream.isTTY === true || (process.env.FORCE_COLOR ?? "0") !== "0") && !process.env.NO_COLOR;

// The clock's timers do not hold the process: the command does until it ends (a wait between
// reconnects, a poll, an agent between streams).
const holdOpen = setInterval(() => {}, 1 << 30);
process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  clock: systemClock,
  color: colorOn(process.stderr),
  stdoutColor: colorOn(process.stdout),
}).finally(() => clearInterval(holdOpen));
