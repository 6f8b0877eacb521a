/**
 * The process entry of `assay`: runs the CLI with the real process streams and sets the exit
 * code. Imported by bin/assay.ts in a source checkout and bundled as dist/assay.js.
 */
import { main } from "./main.ts";

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  color: process.stderr.isTTY === true && !process.env.NO_COLOR,
});
