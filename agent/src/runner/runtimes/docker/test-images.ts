/**
 * Images for tests, built locally (no registry is reachable): a rootfs with the host's static
 * busybox imported with `docker import`, tagged as the documents name them. Every test that
 * needs the engine calls `requireDocker()` first, which fails with a clear message when no
 * engine answers, and removes only the objects it created (other test runs share the engine).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";

const run = promisify(execFile);

/** Fails with a clear message when no Docker engine answers. */
export const requireDocker = async (): Promise<Docker> => {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    throw new Error(
      `these tests need a Docker engine and none answers at ${process.env.DOCKER_HOST ?? "/var/run/docker.sock"} (${(error as Error).message}); install docker.io and start dockerd`,
    );
  }
  return docker;
};

export interface ImageRecipe {
  /** Tag, e.g. `alpine:3.22.0`. */
  tag: string;
  /** Busybox applets linked into /bin; none leaves the image without a shell. */
  applets?: string[];
  /** `docker import --change` instructions, e.g. `ENTRYPOINT ["/bin/echo"]`. */
  changes?: string[];
}

/** Builds `recipe` unless an image with its tag exists. */
export const buildBusyboxImage = async (docker: Docker, recipe: ImageRecipe): Promise<void> => {
  const present = await docker
    .getImage(recipe.tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return;
  const dir = await mkdtemp(join(tmpdir(), "assay-image-"));
  try {
    const links = (recipe.applets ?? []).map((a) => `ln -s busybox rootfs/bin/${a}`).join(" && ");
    const changes = (recipe.changes ?? []).map((c) => `--change ${JSON.stringify(c)}`).join(" ");
    const script = [
      "set -e",
      "mkdir -p rootfs/bin rootfs/tmp rootfs/etc rootfs/data",
      "cp /bin/busybox rootfs/bin/busybox",
      links === "" ? "true" : links,
      "chmod 1777 rootfs/tmp",
      "echo 'root:x:0:0:root:/root:/bin/sh' > rootfs/etc/passwd",
      "echo 'root:x:0:' > rootfs/etc/group",
      `tar -C rootfs -c . | docker import ${changes} - ${recipe.tag} >/dev/null`,
    ].join("\n");
    await run("/bin/sh", ["-c", script], { cwd: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** A shell image like the small ones workflows name (sh, id, cat, sleep, echo, test...). */
export const SHELL_APPLETS = [
  "sh",
  "id",
  "cat",
  "sleep",
  "echo",
  "test",
  "ls",
  "mkdir",
  "touch",
  "nc",
  "wget",
  "httpd",
  "env",
  "pwd",
  "head",
  "dd",
  "true",
  "false",
];
