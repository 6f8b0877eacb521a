/**
 * Builds the distributable `assay`: agent/dist/assay.js (ES modules, Node >= 22, no type
 * stripping needed) from the TypeScript sources, with everything bundled but Node itself.
 * Code splitting keeps the lazy imports lazy: `assay agent` at idle loads the CLI, the daemon
 * and gRPC, never the workflow parser, planner or runner (they load with the first run).
 *
 *   npm run build:agent
 */
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const agentDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--outdir DIR` builds elsewhere (the bundle test).
const at = process.argv.indexOf("--outdir");
const outdir = at > 0 ? (process.argv[at + 1] ?? "") : join(agentDir, "dist");
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { assay: join(agentDir, "src", "cli", "entry.ts") },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  splitting: true,
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  // Bundled CommonJS dependencies (grpc-js, commander) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __assayRequire } from 'node:module'; const require = __assayRequire(import.meta.url);",
  },
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `built ${join("agent", "dist", "assay.js")} (${Object.keys(result.metafile.outputs).length} files, ${Math.round(bytes / 1024)} KiB)`,
);
