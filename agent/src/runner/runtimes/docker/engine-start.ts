/**
 * What a starting Docker agent asks the engine: whether it answers, and to remove the containers
 * and networks a crashed predecessor with the same agent id left (labelled `dev.assay.agent`
 * with that id; never anything of another agent's). On a Unix socket, the engine's usual place,
 * these few calls go straight over `node:http` so that an idle agent does not load dockerode
 * (about 5 MB) before its first run; other hosts (`tcp://`, `ssh://`, `npipe://`, Windows) go
 * through dockerode, which knows their transports and TLS settings. The socket is found where
 * dockerode's docker-modem looks: the `unix://` path of `DOCKER_HOST`, else
 * `~/.docker/run/docker.sock` (Docker Desktop) when it exists, else `/var/run/docker.sock`.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";

export const AGENT_LABEL = "dev.assay.agent";

type Kind = "containers" | "networks";

/** The engine calls made at start. */
export interface StartCalls {
  ping(): Promise<unknown>;
  list(kind: Kind, filters: string): Promise<{ Id: string }[]>;
  remove(kind: Kind, id: string): Promise<unknown>;
}

/** The engine's Unix socket by `env`, or undefined when the host is not one. */
export const unixSocketOf = (
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined => {
  if (platform === "win32") return undefined;
  const host = env.DOCKER_HOST ?? "";
  if (host !== "" && !host.startsWith("unix://")) return undefined;
  const path = host.slice("unix://".length);
  if (path !== "") return path;
  const desktop = join(homedir(), ".docker", "run", "docker.sock");
  return existsSync(desktop) ? desktop : "/var/run/docker.sock";
};

/** The calls over the socket at `socketPath` (plain HTTP, as the engine serves it there). */
export const socketCalls = (socketPath: string): StartCalls => {
  // Required, not imported: an ES import of node:http builds its namespace, which loads undici.
  const http = createRequire(import.meta.url)("node:http") as typeof import("node:http");
  const call = (method: string, path: string, ok: number[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.request({ socketPath, method, path }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () =>
          ok.includes(res.statusCode ?? 0)
            ? resolve(body)
            : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${body.trim()}`)),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
  const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
  return {
    ping: () => call("GET", "/_ping", [200]),
    list: async (kind, filters) =>
      JSON.parse(
        await call(
          "GET",
          kind === "containers"
            ? `/containers/json?${query({ all: "true", filters })}`
            : `/networks?${query({ filters })}`,
          [200],
        ),
      ) as { Id: string }[],
    remove: (kind, id) =>
      call(
        "DELETE",
        kind === "containers"
          ? `/containers/${encodeURIComponent(id)}?${query({ force: "true", v: "true" })}`
          : `/networks/${encodeURIComponent(id)}`,
        [200, 204],
      ),
  };
};

/** The same calls through dockerode. */
export const dockerodeCalls = (docker: Docker): StartCalls => ({
  ping: () => docker.ping(),
  list: (kind, filters) =>
    kind === "containers" ? docker.listContainers({ all: true, filters }) : docker.listNetworks({ filters }),
  remove: (kind, id) =>
    kind === "containers"
      ? docker.getContainer(id).remove({ force: true, v: true })
      : docker.getNetwork(id).remove(),
});

/** The engine client, loaded on first use. */
export const engineClient = async (): Promise<Docker> => new (await import("dockerode")).default();

/** The start calls for this agent's engine: over its socket, or through dockerode. */
export const startCalls = async (): Promise<StartCalls> => {
  const socket = unixSocketOf();
  return socket === undefined ? dockerodeCalls(await engineClient()) : socketCalls(socket);
};

/** True when the engine answers. */
export const engineAnswers = (calls: StartCalls): Promise<boolean> =>
  calls.ping().then(
    () => true,
    () => false,
  );

/** Removes containers and networks labelled with `agentId` (never anyone else's). */
export const sweepLeftovers = async (calls: StartCalls, agentId: string): Promise<number> => {
  const filters = JSON.stringify({ label: [`${AGENT_LABEL}=${agentId}`] });
  const containers = await calls.list("containers", filters);
  await Promise.all(containers.map((c) => calls.remove("containers", c.Id).catch(() => undefined)));
  const networks = await calls.list("networks", filters);
  await Promise.all(networks.map((n) => calls.remove("networks", n.Id).catch(() => undefined)));
  return containers.length + networks.length;
};
