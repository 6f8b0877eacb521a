/**
 * Publishes the agent's container image: builds it with build-image.ts and pushes it to a
 * registry under the name the control plane's install commands print for a deployment
 * configured with the same registry (ASSAY_AGENT_REGISTRY, or `agentRegistry` in
 * infra/lib/config/stages.ts): `<registry>/assay/agent:<version>`.
 *
 *   npm run release:agent-image -- --registry <host[:port][/path]> [--base <node 24 image>] [--latest]
 *
 * The registry may also come from ASSAY_AGENT_REGISTRY. `docker login` to it first when it needs
 * credentials; the script never handles them. It prints the pushed reference and its digest.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { agentImageRef } from "@assay/shared/version";

const scripts = dirname(fileURLToPath(import.meta.url));
const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const fail = (message: string): never => {
  console.error(`release:agent-image: ${message}`);
  process.exit(1);
};

const registry = flag("--registry") ?? process.env.ASSAY_AGENT_REGISTRY;
if (!registry) fail("no registry: pass --registry <host[:port][/path]> or set ASSAY_AGENT_REGISTRY");
if (registry && !/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(registry))
  fail(`registry "${registry}" must be host[:port][/path] (lower case, no scheme)`);
const base = flag("--base");
const image = agentImageRef(registry);
const tags = [image, ...(process.argv.includes("--latest") ? [image.replace(/:[^:/]+$/, ":latest")] : [])];

const docker = (...args: string[]) =>
  execFileSync("docker", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

try {
  execFileSync(
    process.execPath,
    [join(scripts, "build-image.ts"), "--tag", image, ...(base ? ["--base", base] : [])],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  for (const tag of tags.slice(1)) docker("tag", image, tag);
  for (const tag of tags) {
    docker("push", "--quiet", tag);
    console.log(`pushed ${tag}`);
  }
  const digest = docker("image", "inspect", "--format", "{{range .RepoDigests}}{{println .}}{{end}}", image)
    .split("\n")
    .find((d) => d.startsWith(`${image.replace(/:[^:/]+$/, "")}@`));
  if (digest) console.log(`digest ${digest}`);
  console.log(`install commands name ${image} when the control plane has ASSAY_AGENT_REGISTRY=${registry}`);
} catch (error) {
  const stderr = (error as { stderr?: Buffer | string }).stderr?.toString().trim();
  fail(`publishing ${image} failed: ${stderr || (error instanceof Error ? error.message : String(error))}`);
}
