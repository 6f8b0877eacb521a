/**
 * A unit's container, as the Docker Engine API wants it, from the step's rendered request and
 * its effective Testkube container. Pure: everything that needs the engine (the image's own
 * entrypoint, user and PATH) comes in as `image`. The Kubernetes meanings carried over:
 *
 * - `command` replaces the image's entrypoint and `args` its cmd; with neither `shell` nor
 *   `command` the image's own entrypoint runs (with `args` as its cmd when given).
 * - `shell` runs with the agent's static busybox (`/.assay/bin/sh`, bound read-only into every
 *   container) under `set -e`, so shell steps work in images without a shell; a step's
 *   `shellProgram` (e.g. bash) is used instead when set. `/.assay/bin` also ends the PATH, so
 *   busybox applets fill in for tools an image lacks.
 * - `/data` is the execution's workspace, bound into every unit; `volumeMounts` bind the
 *   execution's `pod.volumes` (volumes.ts); a mount naming no volume is refused.
 * - `resources.limits` cpu and memory become NanoCpus and Memory (swap off); `securityContext`
 *   becomes User, ReadonlyRootfs and Privileged (refused unless the agent allows it);
 *   `runAsNonRoot` refuses a container that would run as root.
 */
import type { PlannedContainer } from "@assay/shared/workflow";
import { OUTPUTS_PATH } from "../../step-outputs.ts";
import type { LaunchRequest } from "../runtime.ts";
import type { MountSource } from "./volumes.ts";

/** Where the agent's tools (busybox) appear inside every container. */
export const TOOLS_DIR = "/.assay/bin";

/** What the spec needs to know about the image. */
export interface ImageFacts {
  name: string;
  entrypoint: string[];
  cmd: string[];
  user: string;
  env: string[];
}

/** What the spec needs to know about the execution. */
export interface SpecContext {
  workspace: string;
  toolsDir: string;
  network: string;
  labels: Record<string, string>;
  /** `pod.volumes` names to what their mounts bind. */
  volumes: Record<string, MountSource>;
  /** Volumes mounted at absolute paths in every container (a parallel worker's transfers). */
  mounts?: Array<{ path: string; host: string }> | undefined;
  /** Host directory bound at `/testkube/outputs` (a step's outputs pod); none for a service. */
  outputsDir?: string | undefined;
  podSecurity?: Record<string, unknown> | undefined;
  allowPrivileged: boolean;
}

/** Create options for the engine (the subset of `ContainerCreateOptions` the runtime sets). */
export interface ContainerSpec {
  Image: string;
  Entrypoint?: string[] | undefined;
  Cmd?: string[] | undefined;
  Env: string[];
  WorkingDir?: string | undefined;
  User?: string | undefined;
  Labels: Record<string, string>;
  HostConfig: {
    Binds: string[];
    NetworkMode: string;
    Memory?: number | undefined;
    MemorySwap?: number | undefined;
    NanoCpus?: number | undefined;
    ReadonlyRootfs?: boolean | undefined;
    Privileged?: boolean | undefined;
  };
  NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases: string[] }> } | undefined;
}

const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Bytes of a Kubernetes memory quantity (`50Mi`, `1G`, `128974848`), or undefined. */
export const parseMemory = (value: string | number): number | undefined => {
  const match = /^([0-9.]+(?:e[0-9]+)?)([kMGT]i?)?$/.exec(String(value).trim());
  const unit = MEMORY_UNITS[match?.[2] ?? ""];
  if (match === null || unit === undefined) return undefined;
  const n = Number(match[1]) * unit;
  return Number.isFinite(n) && n > 0 ? Math.round(n) : undefined;
};

/** Nano-CPUs of a Kubernetes cpu quantity (`500m`, `1`, `0.25`), or undefined. */
export const parseCpu = (value: string | number): number | undefined => {
  const text = String(value).trim();
  const milli = text.endsWith("m");
  const n = Number(milli ? text.slice(0, -1) : text);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return Math.round(milli ? n * 1e6 : n * 1e9);
};

type Built = { ok: true; spec: ContainerSpec } | { ok: false; error: string };

const truthy = (value: unknown): boolean => value === true || value === "true";

/** The `User` of the container, or an error (a non-numeric template left unresolved). */
const userOf = (security: Record<string, unknown>, image: ImageFacts): Built | string | undefined => {
  const uid = security.runAsUser;
  const gid = security.runAsGroup;
  const id = (v: unknown) => (v === undefined ? undefined : /^\d+$/.test(String(v)) ? String(v) : null);
  const u = id(uid);
  const g = id(gid);
  if (u === null || g === null)
    return { ok: false, error: "securityContext runAsUser/runAsGroup must be numbers" };
  if (u === undefined && g === undefined) return undefined;
  const imageUser = image.user.split(":")[0] || "0";
  return g === undefined ? u : `${u ?? imageUser}:${g}`;
};

const runsAsRoot = (user: string | undefined, image: ImageFacts): boolean => {
  const name = (user ?? image.user).split(":")[0] ?? "";
  return name === "" || name === "0" || name === "root";
};

/** The process: entrypoint and cmd for a shell script, a command, or the image's own. */
const processOf = (
  request: LaunchRequest,
  image: ImageFacts,
): Built | Pick<ContainerSpec, "Entrypoint" | "Cmd"> => {
  if (request.shell !== undefined) {
    const program = request.shellProgram ?? `${TOOLS_DIR}/sh`;
    return { Entrypoint: [program], Cmd: ["-c", `set -e\n${request.shell}`] };
  }
  if (request.command !== undefined && request.command.length > 0) {
    return { Entrypoint: request.command, Cmd: request.args ?? [] };
  }
  if (image.entrypoint.length === 0 && (request.args ?? image.cmd).length === 0) {
    return {
      ok: false,
      error: `image ${image.name} has no entrypoint or cmd to run; set run.command or shell`,
    };
  }
  return request.args === undefined ? {} : { Cmd: request.args };
};

/** The binds: /data, the step outputs directory, the tools, and the step's volume mounts. */
const bindsOf = (container: PlannedContainer | undefined, context: SpecContext): string[] | string => {
  const binds = [`${context.workspace}:/data`, `${context.toolsDir}:${TOOLS_DIR}:ro`];
  if (context.outputsDir !== undefined) binds.push(`${context.outputsDir}:${OUTPUTS_PATH}`);
  for (const mount of context.mounts ?? []) binds.push(`${mount.host}:${mount.path}`);
  for (const mount of container?.volumeMounts ?? []) {
    const name = String(mount.name ?? "");
    const path = String(mount.mountPath ?? "");
    const volume = context.volumes[name];
    if (volume === undefined)
      return `volumeMount "${name}" names no volume in pod.volumes (declare it, e.g. as an emptyDir)`;
    if (!path.startsWith("/")) return `volumeMount "${name}" needs an absolute mountPath`;
    const subPath = typeof mount.subPath === "string" ? mount.subPath : "";
    if (subPath.split("/").includes("..")) return `volumeMount "${name}": subPath may not leave the volume`;
    if (subPath !== "" && volume.named)
      return `volumeMount "${name}": subPath is not supported for persistentVolumeClaim volumes`;
    const readOnly = volume.readOnly || truthy(mount.readOnly);
    binds.push(`${volume.source}${subPath === "" ? "" : `/${subPath}`}:${path}${readOnly ? ":ro" : ""}`);
  }
  return binds;
};

/** Builds the container of `request` in `image`; an error names what was refused. */
export const buildContainerSpec = (
  request: LaunchRequest,
  image: ImageFacts,
  context: SpecContext,
): Built => {
  const container = request.container;
  const security = { ...context.podSecurity, ...container?.securityContext };
  if (truthy(security.privileged) && !context.allowPrivileged) {
    return {
      ok: false,
      error: "securityContext.privileged is refused: start the agent with --allow-privileged",
    };
  }
  const user = userOf(security, image);
  if (typeof user === "object") return user;
  if (truthy(security.runAsNonRoot) && runsAsRoot(user, image)) {
    return { ok: false, error: `runAsNonRoot is set but image ${image.name} runs as root; set runAsUser` };
  }
  const proc = processOf(request, image);
  if ("ok" in proc) return proc;
  const binds = bindsOf(container, context);
  if (typeof binds === "string") return { ok: false, error: binds };
  const limits = container?.resources?.limits ?? {};
  const memory = limits.memory === undefined ? undefined : parseMemory(limits.memory);
  const cpu = limits.cpu === undefined ? undefined : parseCpu(limits.cpu);
  if (limits.memory !== undefined && memory === undefined)
    return { ok: false, error: `resources.limits.memory "${limits.memory}" is not a quantity` };
  if (limits.cpu !== undefined && cpu === undefined)
    return { ok: false, error: `resources.limits.cpu "${limits.cpu}" is not a quantity` };
  const imagePath = image.env.find((e) => e.startsWith("PATH="))?.slice(5) || "/usr/local/bin:/usr/bin:/bin";
  const env: Record<string, string> = { CI: "1", ...request.env };
  if (env.PATH === undefined) env.PATH = `${imagePath}:${TOOLS_DIR}`;
  const spec: ContainerSpec = {
    Image: image.name,
    ...proc,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: request.workingDir,
    User: user,
    Labels: context.labels,
    HostConfig: {
      Binds: binds,
      NetworkMode: context.network,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: cpu,
      ReadonlyRootfs: truthy(security.readOnlyRootFilesystem) || undefined,
      Privileged: truthy(security.privileged) || undefined,
    },
  };
  if (request.serviceName !== undefined) {
    spec.NetworkingConfig = { EndpointsConfig: { [context.network]: { Aliases: [request.serviceName] } } };
  }
  return { ok: true, spec };
};
