#!/usr/bin/env node
// The `assay` command: see agent/src/cli/main.ts.
import { main } from "../src/cli/main.ts";

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  color: process.stderr.isTTY === true && !process.env.NO_COLOR,
});
process.exitCode = code;
