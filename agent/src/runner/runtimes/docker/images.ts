/**
 * Images of a container runtime: `imagePullPolicy` as in Kubernetes (`Always`, `IfNotPresent`,
 * `Never`; unset means `Always` for `:latest` or no tag, `IfNotPresent` otherwise), pull progress
 * as log lines (one per layer status change, not every progress tick), and registry credentials
 * from the agent's Docker config (`auths` of `$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json`) and from the pod's `imagePullSecrets`, each a Docker config file named
 * after the secret in the agent's pull-secrets directory.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import type { ImageFacts } from "./container-spec.ts";

/** A registry login, as the engine takes it. */
export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** The registry host of an image reference (`docker.io` when it names none). */
export const registryOf = (image: string): string => {
  const first = image.split("/")[0] ?? "";
  const hasHost =
    image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return hasHost ? first : "docker.io";
};

/** The effective pull policy of `image` with the written `policy`. */
export const pullPolicyOf = (
  image: string,
  policy: string | undefined,
): "Always" | "IfNotPresent" | "Never" => {
  if (policy === "Always" || policy === "IfNotPresent" || policy === "Never") return policy;
  const last = image.split("/").pop() ?? "";
  const tagged = last.includes(":") || image.includes("@");
  return !tagged || last.endsWith(":latest") ? "Always" : "IfNotPresent";
};

const authsOf = (text: string): Record<string, { auth?: string }> => {
  try {
    const parsed = JSON.parse(text) as { auths?: Record<string, { auth?: string }> };
    return parsed.auths ?? {};
  } catch {
    return {};
  }
};

/** Finds a login for `registry` in Docker config files (first match wins). */
export const findAuth = async (
  registry: string,
  configFiles: string[],
): Promise<RegistryAuth | undefined> => {
  for (const file of configFiles) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    for (const [host, entry] of Object.entries(authsOf(text))) {
      const bare = host.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
      if (bare !== registry || entry.auth === undefined) continue;
      const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0)
        return {
          username: decoded.slice(0, colon),
          password: decoded.slice(colon + 1),
          serveraddress: registry,
        };
    }
  }
  return undefined;
};

/** Config files to search: the pod's pull secrets first, then the agent's own Docker config. */
export const configFilesFor = (
  pullSecrets: Record<string, unknown>[] | undefined,
  pullSecretsDir: string | undefined,
  env: Record<string, string | undefined>,
): string[] => {
  const names = (pullSecrets ?? []).map((s) => String(s.name ?? "")).filter((n) => /^[\w.-]+$/.test(n));
  const fromSecrets = pullSecretsDir === undefined ? [] : names.map((n) => join(pullSecretsDir, `${n}.json`));
  const own = join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "config.json");
  return [...fromSecrets, own];
};

const factsOf = (name: string, info: Docker.ImageInspectInfo): ImageFacts => ({
  name,
  entrypoint: toList(info.Config?.Entrypoint),
  cmd: toList(info.Config?.Cmd),
  user: info.Config?.User ?? "",
  env: info.Config?.Env ?? [],
});

const toList = (value: string | string[] | null | undefined): string[] =>
  value === null || value === undefined ? [] : typeof value === "string" ? [value] : value;

export interface EnsureOptions {
  policy: string | undefined;
  auth: RegistryAuth | undefined;
  note(text: string): void;
  /** Stops a pull in progress (the engine cancels it when its client goes away). */
  signal?: AbortSignal | undefined;
}

/** Makes `image` present as its policy says; the image's facts, or why it cannot be had. */
export const ensureImage = async (
  docker: Docker,
  image: string,
  options: EnsureOptions,
): Promise<{ ok: true; facts: ImageFacts } | { ok: false; error: string }> => {
  const policy = pullPolicyOf(image, options.policy);
  const present = await docker
    .getImage(image)
    .inspect()
    .catch(() => undefined);
  if (present !== undefined && policy !== "Always") return { ok: true, facts: factsOf(image, present) };
  if (policy === "Never") {
    return { ok: false, error: `image ${image} is not present and imagePullPolicy is Never` };
  }
  options.note(`[assay] pulling image ${image} (imagePullPolicy ${policy})`);
  const pulled = await pull(docker, image, options);
  if (options.signal?.aborted === true) {
    options.note(`[assay] pull of ${image} stopped`);
    return { ok: false, error: `the pull of image ${image} was stopped` };
  }
  if (pulled !== undefined) return { ok: false, error: `cannot pull image ${image}: ${pulled}` };
  const info = await docker
    .getImage(image)
    .inspect()
    .catch(() => undefined);
  if (info === undefined) return { ok: false, error: `image ${image} is missing after its pull` };
  return { ok: true, facts: factsOf(image, info) };
};

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Pulls `image`; undefined on success, else the engine's reason. */
const pull = async (docker: Docker, image: string, options: EnsureOptions): Promise<string | undefined> => {
  const { signal } = options;
  if (signal?.aborted === true) return "stopped";
  let stream: NodeJS.ReadableStream;
  try {
    const auth = options.auth === undefined ? {} : { authconfig: options.auth };
    stream = await docker.pull(image, { ...auth, abortSignal: signal });
  } catch (error) {
    return engineMessage(error);
  }
  const last = new Map<string, string>();
  return new Promise((resolve) => {
    // Closing the connection makes the engine give up the pull (no other client waits for it).
    const stop = () => {
      (stream as unknown as { destroy(): void }).destroy();
      resolve("stopped");
    };
    if (signal?.aborted === true) stop();
    signal?.addEventListener("abort", stop, { once: true });
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: PullEvent[]) => {
        const failed = events.find((e) => e.error !== undefined);
        resolve(error !== null ? engineMessage(error) : (failed?.errorDetail?.message ?? failed?.error));
      },
      (event: PullEvent) => {
        if (event.status === undefined || event.error !== undefined) return;
        const key = event.id ?? "";
        if (last.get(key) === event.status) return;
        last.set(key, event.status);
        options.note(`[assay] ${event.id === undefined ? "" : `${event.id}: `}${event.status}`);
      },
    );
  });
};

/** The engine's own message of a failed API call, without the HTTP wrapping. */
export const engineMessage = (error: unknown): string => {
  const e = error as { json?: { message?: unknown }; message?: unknown; statusCode?: number };
  const fromJson = e.json !== null && typeof e.json === "object" ? e.json.message : undefined;
  if (typeof fromJson === "string") return fromJson;
  return typeof e.message === "string"
    ? e.message.replace(/^\(HTTP code \d+\) [\w ]+ - /, "")
    : String(error);
};
