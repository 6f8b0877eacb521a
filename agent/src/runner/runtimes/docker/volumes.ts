/**
 * The execution's `pod.volumes` as the engine mounts them (the planner has already refused the
 * kinds no container runtime mounts, see shared plan/pod-volumes.ts):
 *
 * - emptyDir: a world-writable directory beside the workspace (one per parallel worker too);
 * - secret / configMap: a directory with the planned files (from credentials), bound read-only;
 * - hostPath: the host directory itself, only when the agent allows host paths;
 * - persistentVolumeClaim: the engine's named volume of the claim's name, created when missing
 *   and kept between runs (that is what a claim is for); labelled `dev.assay.claim`.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { PlannedVolume } from "@assay/shared/workflow";
import type Docker from "dockerode";
import { engineMessage } from "./images.ts";

/** What a volume mount binds. */
export interface MountSource {
  /** A host directory, or the name of an engine volume (`named`). */
  source: string;
  readOnly: boolean;
  named: boolean;
  /** A path of the engine's host already (hostPath), not one of the agent's. */
  onHost?: boolean | undefined;
}

export const worldWritable = async (dir: string) => {
  await mkdir(dir, { recursive: true, mode: 0o777 });
  await chmod(dir, 0o777);
};

/** Options of volume preparation. */
export interface VolumeOptions {
  docker: Docker;
  /** Where directory-backed volumes are made. */
  root: string;
  allowHostPaths: boolean;
  labels: Record<string, string>;
}

const writeFiles = async (dir: string, volume: Extract<PlannedVolume, { kind: "files" }>) => {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  for (const file of volume.files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(path, file.content, { mode: file.mode ?? 0o644 });
    await chmod(path, file.mode ?? 0o644);
  }
};

const ensureNamedVolume = async (options: VolumeOptions, name: string) => {
  const present = await options.docker
    .getVolume(name)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return;
  await options.docker
    .createVolume({ Name: name, Labels: { ...options.labels, "dev.assay.claim": name } })
    .catch((error: unknown) => {
      throw new Error(`cannot create the volume of persistentVolumeClaim ${name}: ${engineMessage(error)}`);
    });
};

/** Prepares `volumes` (all kinds); rejects naming the volume that could not be had. */
export const prepareVolumes = async (
  volumes: readonly PlannedVolume[] | undefined,
  options: VolumeOptions,
): Promise<Record<string, MountSource>> => {
  const out: Record<string, MountSource> = {};
  for (const volume of volumes ?? []) {
    const dir = join(options.root, volume.name);
    if (volume.kind === "emptyDir") {
      await worldWritable(dir);
      out[volume.name] = { source: dir, readOnly: false, named: false };
    } else if (volume.kind === "files") {
      await writeFiles(dir, volume);
      out[volume.name] = { source: dir, readOnly: true, named: false };
    } else if (volume.kind === "hostPath") {
      if (!options.allowHostPaths)
        throw new Error(`hostPath volume "${volume.name}" is refused: the agent does not allow host paths`);
      out[volume.name] = { source: volume.path, readOnly: false, named: false, onHost: true };
    } else {
      await ensureNamedVolume(options, volume.claimName);
      out[volume.name] = { source: volume.claimName, readOnly: volume.readOnly, named: true };
    }
  }
  return out;
};

/** A parallel worker's volumes: fresh emptyDirs under `root`, the others shared with the execution. */
export const workerVolumes = async (
  volumes: readonly PlannedVolume[] | undefined,
  shared: Record<string, MountSource>,
  root: string,
): Promise<Record<string, MountSource>> => {
  const out = { ...shared };
  for (const volume of volumes ?? []) {
    if (volume.kind !== "emptyDir") continue;
    const dir = join(root, volume.name);
    await worldWritable(dir);
    out[volume.name] = { source: dir, readOnly: false, named: false };
  }
  return out;
};
