/**
 * The agent image for tests, built with the real Docker engine. No registry is reachable on
 * test machines, so the Node 24 base is made here: a root filesystem with the repository's
 * pinned Node 24 binary (node_modules/node), the shared libraries it links, busybox as
 * /bin/sh, and a user 1000 with its home at /home/node (what node:24-slim provides), imported
 * with `docker import`. The agent image is then built by the real build script,
 * `npm run build:agent-image -- --base <that image>`.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ASSAY_VERSION } from "@assay/shared/version";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const TEST_NODE_BASE = "assay-test/node-base:24";
/** The tag the install commands name, as build:agent-image tags it. */
export const AGENT_IMAGE = `assay/agent:${ASSAY_VERSION}`;

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();

/** Shared libraries `ldd` lists for `binary` (absolute paths). */
function linkedLibraries(binary: string): string[] {
  return execFileSync("ldd", [binary], { encoding: "utf8" })
    .split("\n")
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((p): p is string => p !== undefined);
}

/** Builds TEST_NODE_BASE from this machine's files (once: an existing image is kept). */
export function ensureTestNodeBase(): string {
  if (docker("images", "-q", TEST_NODE_BASE) !== "") return TEST_NODE_BASE;
  const root = mkdtempSync(join(tmpdir(), "assay-node-base-"));
  try {
    const node = join(REPO, "node_modules/node/bin/node");
    mkdirSync(join(root, "usr/local/bin"), { recursive: true });
    // Debug sections are most of the binary's size; the image needs none of them.
    execFileSync("strip", ["--strip-debug", "-o", join(root, "usr/local/bin/node"), node]);
    for (const lib of linkedLibraries(node)) {
      mkdirSync(join(root, dirname(lib)), { recursive: true });
      copyFileSync(lib, join(root, lib));
    }
    mkdirSync(join(root, "bin"));
    copyFileSync("/bin/busybox", join(root, "bin/busybox"));
    chmodSync(join(root, "bin/busybox"), 0o755);
    for (const tool of ["sh", "echo", "cat", "ls", "sleep", "env", "id"])
      symlinkSync("busybox", join(root, "bin", tool));
    mkdirSync(join(root, "etc"));
    writeFileSync(
      join(root, "etc/passwd"),
      "root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n",
    );
    writeFileSync(join(root, "etc/group"), "root:x:0:\nnode:x:1000:\n");
    mkdirSync(join(root, "home/node"), { recursive: true });
    chownSync(join(root, "home/node"), 1000, 1000);
    mkdirSync(join(root, "tmp"));
    chmodSync(join(root, "tmp"), 0o1777);
    execFileSync(
      "sh",
      [
        "-c",
        `tar -C '${root}' -c . | docker import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - ${TEST_NODE_BASE}`,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    return TEST_NODE_BASE;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Builds the agent image with the build:agent-image script on the local base; returns its tag.
 * Asynchronous, so a control plane in the same process keeps answering meanwhile.
 */
export async function buildAgentImage(): Promise<string> {
  const base = ensureTestNodeBase();
  await promisify(execFile)(process.execPath, [
    join(REPO, "agent/scripts/build-image.ts"),
    "--tag",
    AGENT_IMAGE,
    "--base",
    base,
  ]);
  return AGENT_IMAGE;
}
