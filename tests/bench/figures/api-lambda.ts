/**
 * API Lambda bundle and cold init. The bundle is built with esbuild and the options of
 * infra/lib/constructs/assay-function.ts (imported, so they cannot drift: ESM, node24,
 * module-first main fields, the createRequire banner, AWS SDK included, minified, code split; the
 * source maps are not counted). The bundle figure is what a cold start loads: `index.mjs` and the
 * chunks it imports statically; chunks reached only through `import()` are loaded on first use
 * and counted in the total (a note). Cold init = a fresh Node process importing the bundle with
 * the environment the Lambda gets (table, buckets, queues, region, credentials): module
 * evaluation + config parsing + adapters + the Hono app, i.e. what the Lambda's init phase runs
 * before the first request.
 *
 * Baseline in the same run: a fresh Node process importing an empty module (the runtime floor).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { copyRuntimePackages, lambdaBundleOptions } from "../../../infra/lib/constructs/assay-function.ts";
import { figure, progress, report, runCount } from "../lib/figure.ts";

const ENTRY = fileURLToPath(new URL("../../../functions/api/lambda.ts", import.meta.url));
const RUNS = runCount(9, 5);
/** What the API Lambda's configuration holds; nothing listens on the endpoints (init makes no calls). */
const LAMBDA_ENV = {
  ASSAY_TABLE_NAME: "assay",
  ASSAY_LOGS_BUCKET: "assay-data",
  ASSAY_ARTIFACTS_BUCKET: "assay-data",
  ASSAY_QUEUE_URL_CLEANUP: "http://127.0.0.1:9/queue/cleanup",
  ASSAY_QUEUE_URL_COMPACT_LOGS: "http://127.0.0.1:9/queue/compact-logs",
  ASSAY_QUEUE_URL_UNPACK_ARTIFACTS: "http://127.0.0.1:9/queue/unpack-artifacts",
  ASSAY_QUEUE_URL_RETENTION: "http://127.0.0.1:9/queue/retention",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  ASSAY_CONFIG_KEY: "00".repeat(32),
  ASSAY_LOG_LEVEL: "warn",
};

const dir = mkdtempSync(join(tmpdir(), "assay-bench-lambda-"));
try {
  const outdir = join(dir, "bundle");
  const outfile = join(outdir, "index.mjs");
  const { metafile } = await build({ ...lambdaBundleOptions(ENTRY, outdir), metafile: true });
  copyRuntimePackages(outdir);
  // Output paths in the metafile are relative to the working directory.
  const outputs = new Map(Object.entries(metafile.outputs).map(([path, out]) => [resolve(path), out]));
  const code = [...outputs.keys()].filter((path) => !path.endsWith(".map"));
  const atInit = new Set<string>();
  const load = (path: string): void => {
    if (atInit.has(path)) return;
    atInit.add(path);
    for (const imported of outputs.get(path)?.imports ?? []) {
      if (imported.kind === "import-statement" && !imported.external) load(resolve(imported.path));
    }
  };
  load(outfile);
  const sizeOf = (paths: Iterable<string>) => [...paths].reduce((sum, path) => sum + statSync(path).size, 0);
  const gzipOf = (paths: Iterable<string>) =>
    [...paths].reduce((sum, path) => sum + gzipSync(readFileSync(path)).length, 0);
  const bytes = sizeOf(atInit);
  const gzipped = gzipOf(atInit);
  const totalBytes = sizeOf(code);
  progress(
    `API bundle: ${(bytes / 1e6).toFixed(2)} MB minified loaded at init (${atInit.size} files, ${(gzipped / 1e6).toFixed(2)} MB gzipped); ${(totalBytes / 1e6).toFixed(2)} MB in all ${code.length} files`,
  );

  const empty = join(dir, "empty.mjs");
  writeFileSync(empty, "export const handler = () => {};\n");
  /** Milliseconds from before the import to the handler being ready, in a fresh process. */
  const initMs = (file: string): number => {
    const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(file)}); if (typeof m.handler !== "function") throw new Error("no handler"); console.log(performance.now() - t0);`;
    try {
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        env: { PATH: process.env.PATH, ...LAMBDA_ENV },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      return Number(out.trim().split("\n").at(-1));
    } catch (error) {
      // A minified bundle's stack is one enormous line: keep the end, where the message is.
      throw new Error(`init failed: ${String((error as { stderr?: string }).stderr).slice(-600)}`);
    }
  };
  initMs(outfile); // warm the file cache
  const cold: number[] = [];
  const floor: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    cold.push(initMs(outfile));
    floor.push(initMs(empty));
  }
  progress(`API cold init runs: ${cold.map((v) => v.toFixed(0)).join(", ")} ms`);
  report([
    figure({
      id: "lambda.bundle",
      name: "API Lambda bundle loaded at init (minified, as infra bundles it)",
      unit: "MB",
      runs: [bytes / 1e6],
      target: "<= 1 MB",
      meets: (v) => v <= 1,
      notes: [
        `gzipped ${(gzipped / 1e6).toFixed(2)} MB`,
        `${atInit.size} files at init; all ${code.length} files (lazy chunks included) ${(totalBytes / 1e6).toFixed(2)} MB`,
      ],
    }),
    figure({
      id: "lambda.cold-init",
      name: "API Lambda cold init (import + app build, fresh process)",
      unit: "ms",
      runs: cold,
      baseline: { name: "fresh process importing an empty module", runs: floor },
      target: "<= 150 ms",
      meets: (v) => v <= 150,
    }),
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
