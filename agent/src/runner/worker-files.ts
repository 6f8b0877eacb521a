/**
 * Files between a parallel worker and its parent when the worker has volumes of its own, with
 * Testkube's meaning of `parallel.transfer` and `parallel.fetch`:
 *
 * - `transfer` runs before the worker starts: the files under the parent's `from` that match
 *   `files` (every file by default) are copied to `to` (default `from`) in the worker. When `to`
 *   lies on none of the worker's volumes (`/data` or an earlier transfer's), a new volume is
 *   mounted there; `mount: true` always mounts one, `mount: false` refuses a path on no volume.
 * - `fetch` runs after the worker ended, whatever its outcome: the worker's matching files under
 *   `from` are copied to the parent's `to` (default `from`).
 *
 * Paths are absolute paths as units see them; only files on a volume (`/data`, a transfer's
 * mount) can travel, as nothing else outlives its container. Directories made here are
 * world-writable, as an emptyDir is, so workers running as any `runAsUser` can write.
 */
import { chmod, copyFile, glob, lstat, mkdir, readlink, stat, symlink } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import type { PlannedTransfer } from "@assay/shared/workflow";
import type { UnitSpace, WorkerSpace } from "./runtimes/runtime.ts";

/** The host path of the absolute unit path `path` in `space`, when it lies on one of its volumes. */
export const hostPathIn = (space: UnitSpace, path: string): string | undefined => {
  const clean = posix.normalize(path).replace(/\/+$/, "") || "/";
  const under = (root: string) => clean === root || clean.startsWith(`${root}/`);
  const mount = [...space.mounts].sort((a, b) => b.path.length - a.path.length).find((m) => under(m.path));
  if (mount !== undefined) return join(mount.host, clean.slice(mount.path.length));
  if (under("/data")) return join(space.workspace, clean.slice("/data".length));
  return undefined;
};

const makeDir = async (dir: string) => {
  await mkdir(dir, { recursive: true, mode: 0o777 });
  await chmod(dir, 0o777).catch(() => undefined);
};

/** Copies the entries under `from` matching `patterns` into `to`; the number of files copied. */
export const copyMatching = async (from: string, to: string, patterns: string[]): Promise<number> => {
  const source = await stat(from).catch(() => undefined);
  if (source === undefined || !source.isDirectory()) throw new Error("is not a directory");
  await makeDir(to);
  let files = 0;
  for await (const relative of glob(patterns, { cwd: from })) {
    const src = join(from, relative);
    const dst = join(to, relative);
    const info = await lstat(src);
    if (info.isDirectory()) {
      await makeDir(dst);
      continue;
    }
    await makeDir(dirname(dst));
    if (info.isSymbolicLink()) await symlink(await readlink(src), dst).catch(() => undefined);
    else if (info.isFile()) {
      await copyFile(src, dst);
      files++;
    }
  }
  return files;
};

/** Copies a worker's `transfer` entries in from `parent`; an error message when one failed. */
export const transferIn = async (
  entries: PlannedTransfer[],
  parent: UnitSpace,
  worker: WorkerSpace,
  log: (text: string) => void,
): Promise<string | undefined> => {
  for (const entry of entries) {
    const from = hostPathIn(parent, entry.from);
    if (from === undefined)
      return `transfer from ${entry.from}: the path is on no volume of the parent (/data or a transferred mount), so its files do not outlive their container`;
    let to = entry.mount === true ? undefined : hostPathIn(worker, entry.to);
    if (to === undefined) {
      if (entry.mount === false)
        return `transfer to ${entry.to}: the path is not part of any volume of the worker: set mount: true or transfer under /data`;
      to = await worker.mount(entry.to);
    }
    try {
      const n = await copyMatching(from, to, entry.files);
      log(`[assay] transferred ${n} file(s) from ${entry.from} to ${entry.to}`);
    } catch (error) {
      return `transfer from ${entry.from}: ${(error as Error).message}`;
    }
  }
  return undefined;
};

/** Copies a worker's `fetch` entries out into `parent`; an error message when one failed. */
export const fetchOut = async (
  entries: PlannedTransfer[],
  worker: UnitSpace,
  parent: UnitSpace,
  log: (text: string) => void,
): Promise<string | undefined> => {
  for (const entry of entries) {
    const from = hostPathIn(worker, entry.from);
    const to = hostPathIn(parent, entry.to);
    if (from === undefined)
      return `fetch from ${entry.from}: the path is on no volume of the worker (/data or a transferred mount)`;
    if (to === undefined) return `fetch to ${entry.to}: the path is on no volume of the parent (/data)`;
    try {
      const n = await copyMatching(from, to, entry.files);
      log(`[assay] fetched ${n} file(s) from ${entry.from} to ${entry.to}`);
    } catch (error) {
      return `fetch from ${entry.from}: ${(error as Error).message}`;
    }
  }
  return undefined;
};
