/**
 * Whether a Docker engine can answer at all, decided without the engine client: with
 * `DOCKER_HOST` unset (or a `unix://` one) the client talks to a socket file, and when no such
 * file exists no engine answers. `auto` then chooses processes without loading dockerode (about
 * 5 MB of an idle agent). The places are the client's own: the `unix://` path, else
 * `~/.docker/run/docker.sock` (Docker Desktop), else `/var/run/docker.sock`. Any other host
 * (`tcp://`, `ssh://`, `npipe://`, Windows' pipe) needs the client to tell.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** False only when the engine's socket file is certainly absent. */
export const engineMayAnswer = (
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean => {
  if (platform === "win32") return true;
  const host = env.DOCKER_HOST ?? "";
  if (host !== "" && !host.startsWith("unix://")) return true;
  const path = host.slice("unix://".length);
  if (path !== "") return existsSync(path);
  return existsSync(join(homedir(), ".docker", "run", "docker.sock")) || existsSync("/var/run/docker.sock");
};
