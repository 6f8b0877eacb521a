/**
 * Builds the agent's container image from agent/Dockerfile: packs the npm tarball
 * (pack.ts), then `docker build` with a context of only the Dockerfile and the tarball.
 *
 *   npm run build:agent-image [-- --tag assay/agent:<version>] [--base <node 24 image>]
 *                                [--busybox <static busybox>]
 *
 * The image carries a statically linked busybox for the Docker runtime's shell steps (default
 * the build host's /bin/busybox, e.g. from Debian's busybox-static); a dynamically linked one is
 * refused, since it would not run inside step images with another libc.
 */
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ASSAY_VERSION } from "@assay/shared/version";

const agentDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const tag = flag("--tag") ?? `assay/agent:${ASSAY_VERSION}`;
const base = flag("--base");
const busybox = flag("--busybox") ?? "/bin/busybox";

/** Refuses a busybox that is missing or dynamically linked (`ldd` finds libraries in it). */
function assertStatic(path: string) {
  let linked = "";
  try {
    linked = execFileSync("ldd", [path], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    // ldd exits non-zero for a static executable ("not a dynamic executable").
  }
  if (/=>|ld-linux/.test(linked))
    throw new Error(`${path} is dynamically linked: pass --busybox with a static busybox (busybox-static)`);
  execFileSync(path, ["true"], { stdio: "ignore" });
}

const packageDir = await mkdtemp(join(tmpdir(), "assay-agent-pack-"));
const context = await mkdtemp(join(tmpdir(), "assay-agent-image-"));
try {
  execFileSync(process.execPath, [join(agentDir, "scripts", "pack.ts"), "--outdir", packageDir], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await copyFile(join(packageDir, `assay-agent-${ASSAY_VERSION}.tgz`), join(context, "assay-agent.tgz"));
  await copyFile(join(agentDir, "Dockerfile"), join(context, "Dockerfile"));
  assertStatic(busybox);
  await copyFile(busybox, join(context, "busybox"));
  execFileSync(
    "docker",
    ["build", "--quiet", "--tag", tag, ...(base ? ["--build-arg", `NODE_IMAGE=${base}`] : []), context],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  console.log(`built ${tag}`);
} catch (error) {
  console.error(`building the agent image failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await rm(packageDir, { recursive: true, force: true });
  await rm(context, { recursive: true, force: true });
}
