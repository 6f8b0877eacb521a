/**
 * Packs the agent as an npm-installable tarball: the single-file bundle (build.ts) with a
 * package.json whose `bin` is `assay`, version = the product's version, and no dependencies
 * (everything is bundled), so `npx --yes <url> agent ...` and `npm install -g <url>` work from
 * the control plane's URL alone, even offline once npm has cached it.
 *
 *   node agent/scripts/pack.ts [--outdir DIR]   -> DIR/assay-agent-<version>.tgz (default agent/dist-package)
 */
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ASSAY_VERSION } from "@assay/shared/version";
import { create } from "tar";

const agentDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const at = process.argv.indexOf("--outdir");
const outdir = at > 0 ? (process.argv[at + 1] ?? "") : join(agentDir, "dist-package");
// A private staging directory and a rename at the end: packers running at once (tests, a
// control plane packing on first request) never see each other's half-written files.
await mkdir(outdir, { recursive: true });
const stage = await mkdtemp(join(outdir, ".stage-"));
const packageDir = join(stage, "package");
await mkdir(packageDir);
execFileSync(process.execPath, [join(agentDir, "scripts", "build.ts"), "--outdir", packageDir], {
  stdio: ["ignore", "ignore", "inherit"],
});
// npm links `bin` entries as they are: the launcher has its interpreter line. It refuses a
// Node.js too old for the bundle before loading it (node-check.js, plain JavaScript).
await copyFile(join(agentDir, "bin", "node-check.js"), join(packageDir, "node-check.js"));
await writeFile(
  join(packageDir, "bin.js"),
  [
    "#!/usr/bin/env node",
    'import { nodeVersionProblem } from "./node-check.js";',
    "const problem = nodeVersionProblem(process.versions.node);",
    "if (problem) {",
    '  process.stderr.write("error: " + problem + "\\n");',
    "  process.exit(1);",
    "}",
    'await import("./assay.js");',
    "",
  ].join("\n"),
);
const manifest = {
  name: "@assay/agent",
  version: ASSAY_VERSION,
  description:
    "The assay CLI: the agent that runs test workflows for an Assay control plane, and the user commands.",
  type: "module",
  bin: { assay: "bin.js" },
  engines: { node: ">=22" },
  license: "UNLICENSED",
};
await writeFile(join(packageDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const file = join(outdir, `assay-agent-${ASSAY_VERSION}.tgz`);
// npm reads tarballs whose entries live under `package/`; fixed times and owners keep the
// tarball (and so its integrity hash) the same for the same sources.
await create(
  {
    gzip: true,
    file: join(stage, "out.tgz"),
    cwd: stage,
    portable: true,
    mtime: new Date("2000-01-01T00:00:00Z"),
  },
  ["package"],
);
await rename(join(stage, "out.tgz"), file);
await rm(stage, { recursive: true, force: true });
console.log(`packed ${file} (${Math.round((await stat(file)).size / 1024)} KiB)`);
