/**
 * The one test command (`npm test`): checks the system prerequisites, runs Biome and the type
 * checker, then every `*.test.ts` in the repo and the dashboard's `*.test.tsx` component tests
 * (compiled by web/test/register.ts) with node's test runner. A run that
 * finds no test files fails. Usage: `npm test [-- --only PATTERN] [-- --skip-checks]`.
 */
import { spawnSync } from "node:child_process";
import { globSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkPrerequisites } from "./support/prerequisites.ts";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const skipChecks = args.includes("--skip-checks");

const missing = checkPrerequisites();
if (missing.length > 0) {
  console.error("Missing system packages needed by the tests:");
  for (const m of missing) console.error(`  - ${m}`);
  process.exit(1);
}

const run = (cmd: string, cmdArgs: string[]): number =>
  spawnSync(cmd, cmdArgs, { stdio: "inherit" }).status ?? 1;

if (!skipChecks) {
  if (run("npx", ["biome", "check", "."]) !== 0) process.exit(1);
  if (run("npx", ["tsc", "--noEmit", "-p", "tsconfig.json"]) !== 0) process.exit(1);
}

const files = globSync(
  [
    "shared/**/*.test.ts",
    "functions/**/*.test.ts",
    "agent/**/*.test.ts",
    "infra/**/*.test.ts",
    "web/**/*.test.ts",
    "web/**/*.test.tsx",
    "tests/**/*.test.ts",
  ],
  {
    exclude: (name) => name === "node_modules",
  },
)
  .filter((file) => !file.includes("node_modules"))
  .filter((file) => (only ? file.includes(only) : true))
  .sort();
if (files.length === 0) {
  console.error("No test files found: a test run that runs nothing fails.");
  process.exit(1);
}
const status = run(process.execPath, [
  "--import",
  fileURLToPath(new URL("../web/test/register.ts", import.meta.url)),
  "--test",
  "--test-concurrency=2",
  "--test-timeout=300000",
  "--test-reporter=spec",
  ...files,
]);
process.exit(status);
