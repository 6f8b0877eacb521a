/**
 * Builds the distributable `assay`: agent/dist/assay.js (ES modules, Node >= 22, no type
 * stripping needed) from the TypeScript sources, with everything bundled but Node itself.
 * Code splitting keeps the lazy imports lazy: `assay agent` at idle loads commander, its own
 * command, the daemon and gRPC; never the other commands (their HTTP client and zod schemas),
 * nor the workflow parser, planner or runner (they load with the first run).
 *
 *   npm run build:agent
 */
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const agentDir = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--outdir DIR` builds elsewhere (the bundle test).
const at = process.argv.indexOf("--outdir");
const outdir = at > 0 ? (process.argv[at + 1] ?? "") : join(agentDir, "dist");
await rm(outdir, { recursive: true, force: true });

// `import process from "node:process"` (commander) as the global it is. An ES import of a
// built-in builds its namespace by reading every export, and reading all of `process` runs its
// lazy getters (the diagnostic report module and more): about 0.4 MiB of resident memory an
// idle agent never uses. Only the default import is served; a named import fails the build.
const processGlobal: Plugin = {
  name: "process-global",
  setup(b) {
    b.onResolve({ filter: /^(node:)?process$/ }, (args) =>
      args.kind === "import-statement" ? { path: "process", namespace: "process-global" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "process-global" }, () => ({
      contents: "export default globalThis.process;",
      loader: "js",
    }));
  },
};
// dockerode reaches the engine through docker-modem, which loads ssh2 for `ssh://` DOCKER_HOSTs;
// ssh2 carries native addons a single-file bundle cannot hold. The bundle serves the socket and
// tcp(s) hosts; an ssh:// host fails with this message instead of a missing-module crash.
const noSsh: Plugin = {
  name: "no-ssh2",
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, () => ({ path: "ssh2", namespace: "no-ssh2" }));
    b.onLoad({ filter: /.*/, namespace: "no-ssh2" }, () => ({
      contents: `class Client { constructor() { throw new Error("DOCKER_HOST=ssh:// is not supported by the assay agent: use the socket or tcp://"); } }
module.exports = { Client };`,
      loader: "js",
    }));
  },
};
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
  plugins: [processGlobal, noSsh],
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `built ${join("agent", "dist", "assay.js")} (${Object.keys(result.metafile.outputs).length} files, ${Math.round(bytes / 1024)} KiB)`,
);
