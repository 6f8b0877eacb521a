/**
 * `npm run bench [-- --quick] [-- --only dispatch,streams]`: runs each figure file of
 * tests/bench/figures in its own process (fresh heap, its own stand-ins, nothing left behind),
 * one after another so they do not compete for the two cores, then prints one table and writes
 * tests/bench/results.json. Figures judge their medians against the issue's targets; nothing
 * here fails on a missed target (benchmarks are not tests). A figure that crashes or overruns
 * its time budget is reported as such and the run goes on.
 *
 * Every figure starts under `ulimit -Sn <hard>` (the idle-stream figure needs ~20,000
 * descriptors; the usual soft limit is 1,024), and the limits are logged.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FigureResult } from "./lib/figure.ts";
import { openFileLimitOf } from "./lib/proc.ts";
import { printTable } from "./lib/table.ts";

const FIGURES = [
  "dispatch",
  "live-tail",
  "log-throughput",
  "step-overhead",
  "docker-steps",
  "agent-idle",
  "agent-install",
  "unpack",
  "list-executions",
  "api-lambda",
  "dashboard",
  "streams",
];
const RAISE_NOFILE = 'ulimit -Sn "$(ulimit -Hn)" && exec "$0" "$@"';

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = (onlyArg?.includes("=") ? onlyArg.split("=")[1] : args[args.indexOf("--only") + 1])?.split(",");
const selected = onlyArg ? FIGURES.filter((f) => only?.includes(f)) : FIGURES;
/** Per-figure wall-clock budget; a figure past it is killed and reported. */
const budgetMs = quick ? 4 * 60_000 : 40 * 60_000;

const here = fileURLToPath(new URL(".", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "assay-bench-out-"));
const limits = openFileLimitOf("self");
console.log(
  `assay bench${quick ? " --quick" : ""}: ${selected.length} figures, Node ${process.version}, ${cpus().length} cores, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; open files: soft ${limits.soft}, hard ${limits.hard} (figures run with soft = hard)`,
);

function runFigure(name: string): Promise<{ results: FigureResult[]; error?: string; seconds: number }> {
  const out = join(outDir, `${name}.jsonl`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      "sh",
      [
        "-c",
        RAISE_NOFILE,
        process.execPath,
        join(here, "figures", `${name}.ts`),
        ...(quick ? ["--quick"] : []),
      ],
      { env: { ...process.env, BENCH_OUT: out }, stdio: ["ignore", "inherit", "inherit"], detached: false },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), budgetMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const results = existsSync(out)
        ? readFileSync(out, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as FigureResult)
        : [];
      const error =
        code === 0
          ? undefined
          : signal === "SIGKILL"
            ? `over its ${budgetMs / 60_000} min budget`
            : `exit ${code ?? signal}`;
      resolve({ results, error, seconds: (Date.now() - started) / 1_000 });
    });
  });
}

const all: FigureResult[] = [];
const failures: Array<{ figure: string; error: string }> = [];
const t0 = Date.now();
for (const name of selected) {
  console.log(`\n> ${name}`);
  const { results, error, seconds } = await runFigure(name);
  all.push(...results);
  if (error) failures.push({ figure: name, error });
  console.log(
    `  ${name}: ${results.length} figures in ${seconds.toFixed(0)} s${error ? ` (FAILED: ${error})` : ""}`,
  );
}
rmSync(outDir, { recursive: true, force: true });

console.log("");
printTable(all);
for (const f of failures) console.log(`! ${f.figure}: ${f.error}`);
const file = join(here, "results.json");
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      quick,
      machine: {
        node: process.version,
        cores: cpus().length,
        memGiB: Math.round(totalmem() / 2 ** 30),
        loadAtStart: loadavg(),
      },
      openFiles: limits,
      seconds: Math.round((Date.now() - t0) / 1_000),
      figures: all,
      failures,
    },
    null,
    2,
  )}\n`,
);
console.log(
  `\n${all.length} figures, ${all.filter((f) => f.met === false).length} below target, ${failures.length} failed; ${file}`,
);
