/**
 * The process entry of `assay`: runs the CLI with the real process streams and sets the exit
 * code. Imported by bin/assay.ts in a source checkout and bundled as dist/assay.js.
 */
import { main } from "./main.ts";

/** Colours on a stream: a terminal, or FORCE_COLOR set (not "0"); NO_COLOR turns them off. */
const colorOn = (stream: { isTTY?: boolean }): boolean =>
  (stream.isTTY === true || (process.env.FORCE_COLOR ?? "0") !== "0") && !process.env.NO_COLOR;

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  color: colorOn(process.stderr),
  stdoutColor: colorOn(process.stdout),
});
