/**
 * Host paths of the agent's own files. Bind sources are resolved by the engine on its host, so
 * an agent that itself runs in a container of that engine (the agent image with the host's
 * Docker socket mounted) must name its workspaces and tools by their host paths:
 *
 * - a path under one of the agent container's mounts (a bind or a volume, e.g.
 *   `-v /var/lib/assay:/var/lib/assay`) is that mount's source plus the rest;
 * - any other path lies in the container's own filesystem, which the engine's overlay2 driver
 *   keeps at `GraphDriver.Data.MergedDir` on the host while the container runs;
 * - with another storage driver such a path cannot be shared, and the execution fails saying
 *   which volume to mount.
 *
 * An agent on the host (no container id in /proc/self/mountinfo, or a container the engine does
 * not know) uses its paths as they are.
 */
import { readFile } from "node:fs/promises";
import { posix } from "node:path";
import type Docker from "dockerode";

/** Maps an absolute path of the agent to the engine host's path of the same file. */
export type ToHost = (path: string) => string;

const CONTAINER_ID = /\/containers\/([0-9a-f]{64})\//;

/** The id of the container this process runs in, from its mount table, if any. */
export const ownContainerId = (mountinfo: string): string | undefined => CONTAINER_ID.exec(mountinfo)?.[1];

/** Builds the mapping for the agent's container as the engine describes it. */
export const mappingOf = (info: Docker.ContainerInspectInfo): ToHost => {
  const mounts = [...(info.Mounts ?? [])]
    .filter((m) => typeof m.Source === "string" && m.Source !== "")
    .sort((a, b) => b.Destination.length - a.Destination.length);
  const data = info.GraphDriver?.Data as { MergedDir?: string } | undefined;
  const merged = info.GraphDriver?.Name === "overlay2" ? data?.MergedDir : undefined;
  return (path) => {
    const clean = posix.normalize(path);
    const mount = mounts.find((m) => clean === m.Destination || clean.startsWith(`${m.Destination}/`));
    if (mount !== undefined) return posix.join(mount.Source, clean.slice(mount.Destination.length));
    if (merged !== undefined && merged !== "") return posix.join(merged, clean);
    throw new Error(
      `the agent runs in a container whose files the engine cannot share (storage driver ${info.GraphDriver?.Name ?? "unknown"}): mount a volume at the same path (e.g. -v /var/lib/assay-agent:/var/lib/assay-agent) and start the agent with --work-dir under it; ${path} is on none`,
    );
  };
};

/** The mapping for this process: the identity unless it runs in a container of `docker`. */
export const detectHostPaths = async (
  docker: Docker,
  mountinfo: () => Promise<string> = () => readFile("/proc/self/mountinfo", "utf8"),
): Promise<{ toHost: ToHost; containerId?: string }> => {
  const id = ownContainerId(await mountinfo().catch(() => ""));
  if (id === undefined) return { toHost: (path) => path };
  const info = await docker
    .getContainer(id)
    .inspect()
    .catch(() => undefined);
  if (info === undefined) return { toHost: (path) => path };
  return { toHost: mappingOf(info), containerId: id };
};
