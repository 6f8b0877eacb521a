/**
 * The agent's tools directory, bound read-only at `/.assay/bin` into every container: a static
 * busybox and one relative symlink per applet (`sh`, `cat`, `id`...). This is how shell steps
 * run in images that have no shell (FROM scratch, distroless) and how busybox's applets fill
 * in for tools an image lacks. The busybox must be statically linked: it runs inside images
 * whose libc (if any) is not the host's.
 */
import { execFile } from "node:child_process";
import { chmod, copyFile, mkdir, readdir, rename, symlink } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Creates (once) `dir` with busybox from `busyboxPath` and its applet links. */
export const prepareTools = async (busyboxPath: string, dir: string): Promise<void> => {
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.includes("busybox") && existing.includes("sh")) return;
  const { stdout } = await run(busyboxPath, ["--list"]).catch((error: Error) => {
    throw new Error(
      `${busyboxPath} is not a usable busybox (${error.message}); pass --busybox PATH to a static busybox`,
    );
  });
  // Built beside the target and renamed into place: concurrent agents never see half a dir.
  const staging = `${dir}.${process.pid}.tmp`;
  await mkdir(staging, { recursive: true });
  await copyFile(busyboxPath, join(staging, "busybox"));
  await chmod(join(staging, "busybox"), 0o755);
  for (const applet of stdout.split("\n").map((a) => a.trim())) {
    if (!/^[\w.[-]+$/.test(applet) || applet === "busybox") continue;
    await symlink("busybox", join(staging, applet)).catch(() => undefined);
  }
  await chmod(staging, 0o755);
  await rename(staging, dir).catch(async () => {
    // Another agent won the race; its directory is as good as ours.
    const { rm } = await import("node:fs/promises");
    await rm(staging, { recursive: true, force: true });
  });
};
