/**
 * The Docker runtime: every unit (step, service instance, worker step) is its own container of
 * its effective image, on a network created for the execution (services are reachable by name
 * and by `services.NAME.N.ip`). The execution's workspace is `/data` in every container, so
 * content (files, git, tarballs) written there by the agent and files left by one step are
 * seen by the next, and artifacts are collected from it. `pod.volumes` emptyDirs are
 * directories beside the workspace, bound where `volumeMounts` say.
 *
 * Nothing leaks: every container and network carries the labels `dev.assay.agent` (this agent's
 * id) and `dev.assay.execution`; `close()` removes what the execution left, and `sweep()` (at
 * agent start) removes what a crashed predecessor with the same agent id left, never anything
 * labelled with another agent's id.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnerFeature } from "@assay/shared/workflow";
import Docker from "dockerode";
import type {
  ExecutionRuntime,
  ExecutionRuntimeOptions,
  LaunchedUnit,
  LaunchIo,
  LaunchRequest,
  StepRuntime,
  WorkerSpace,
} from "../runtime.ts";
import { buildContainerSpec, type SpecContext } from "./container-spec.ts";
import { type KillSwitch, runContainer } from "./container-unit.ts";
import { configFilesFor, engineMessage, ensureImage, findAuth, registryOf } from "./images.ts";
import { prepareTools } from "./tools.ts";

export const AGENT_LABEL = "dev.assay.agent";
export const EXECUTION_LABEL = "dev.assay.execution";

export interface DockerRuntimeOptions {
  /** Labels every object; only objects with this id are ever swept. */
  agentId: string;
  /** Engine client; default from `DOCKER_HOST` or the default socket. */
  docker?: Docker | undefined;
  /** Image of steps whose workflow names none; default `busybox:stable`... see docs. */
  defaultImage?: string | undefined;
  /** A static busybox on the host; default `/bin/busybox`. */
  busyboxPath?: string | undefined;
  /** Where the tools directory is made; default `<tmpdir>/assay-docker-tools`. */
  toolsDir?: string | undefined;
  /** Let steps ask for `securityContext.privileged`. */
  allowPrivileged?: boolean | undefined;
  /** Directory of `<secret name>.json` Docker config files for `pod.imagePullSecrets`. */
  pullSecretsDir?: string | undefined;
  /** Where `DOCKER_CONFIG` is read; default the agent's environment. */
  env?: Record<string, string | undefined> | undefined;
}

/** The planner features a container runtime adds. */
export const DOCKER_FEATURES: readonly RunnerFeature[] = ["image-entrypoint"];

/** Default image of steps that name none. */
export const DEFAULT_IMAGE = "busybox:stable";

/** True when an engine answers at `docker` (or the default socket). */
export const dockerAnswers = async (docker: Docker = new Docker()): Promise<boolean> =>
  docker.ping().then(
    () => true,
    () => false,
  );

/** Removes containers and networks labelled with `agentId` (never anyone else's). */
export const sweepLeftovers = async (docker: Docker, agentId: string): Promise<number> => {
  const filters = JSON.stringify({ label: [`${AGENT_LABEL}=${agentId}`] });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  return containers.length + networks.length;
};

/** Creates the Docker runtime. */
export const createDockerRuntime = (
  options: DockerRuntimeOptions,
): StepRuntime & { sweep(): Promise<number> } => {
  const docker = options.docker ?? new Docker();
  const toolsDir = options.toolsDir ?? join(tmpdir(), "assay-docker-tools");
  let tools: Promise<void> | undefined;
  return {
    name: "docker",
    features: DOCKER_FEATURES,
    containers: true,
    sweep: () => sweepLeftovers(docker, options.agentId),
    open: async (execution) => {
      await docker.ping().catch((error: unknown) => {
        throw new Error(`the Docker engine does not answer (${engineMessage(error)}); is dockerd running?`);
      });
      tools ??= prepareTools(options.busyboxPath ?? "/bin/busybox", toolsDir);
      await tools.catch((error: Error) => {
        tools = undefined;
        throw error;
      });
      return openExecution(docker, options, toolsDir, execution);
    },
  };
};

const worldWritable = async (dir: string) => {
  await mkdir(dir, { recursive: true, mode: 0o777 });
  await chmod(dir, 0o777);
};

/** Directories for the emptyDir `pod.volumes` under `root`, by volume name. */
const makeEmptyDirs = async (
  podVolumes: Record<string, unknown>[] | undefined,
  root: string,
): Promise<Record<string, string>> => {
  const volumes: Record<string, string> = {};
  for (const volume of podVolumes ?? []) {
    const name = String(volume.name ?? "");
    if (!/^[\w.-]+$/.test(name) || volume.emptyDir === undefined) continue;
    volumes[name] = join(root, name);
    await worldWritable(volumes[name]);
  }
  return volumes;
};

const safeName = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 40);

const openExecution = async (
  docker: Docker,
  options: DockerRuntimeOptions,
  toolsDir: string,
  execution: ExecutionRuntimeOptions,
): Promise<ExecutionRuntime> => {
  const labels = { [AGENT_LABEL]: options.agentId, [EXECUTION_LABEL]: execution.executionId };
  const network = `assay-${safeName(execution.executionId)}-${randomBytes(4).toString("hex")}`;
  await docker.createNetwork({ Name: network, Driver: "bridge", Labels: labels, CheckDuplicate: true });
  // Steps may run as any user (runAsUser): /data must be writable by them all, as an emptyDir is.
  await chmod(execution.workspace, 0o777);
  const volumesRoot = `${execution.workspace}.volumes`;
  const workersRoot = `${execution.workspace}.workers`;
  const volumes = await makeEmptyDirs(execution.pod?.volumes, volumesRoot);
  let workers = 0;
  // Each parallel worker: its own /data, its own copies of the emptyDirs, its transfer mounts.
  const isolate = async (ref: string): Promise<WorkerSpace> => {
    const root = join(workersRoot, `${safeName(ref)}-${++workers}`);
    const space = {
      workspace: join(root, "data"),
      volumes: await makeEmptyDirs(execution.pod?.volumes, join(root, "volumes")),
      mounts: [] as Array<{ path: string; host: string }>,
    };
    await worldWritable(space.workspace);
    return {
      ...space,
      mount: async (path) => {
        const host = join(root, "mounts", String(space.mounts.length + 1));
        await worldWritable(host);
        space.mounts.push({ path, host });
        return host;
      },
      release: () => rm(root, { recursive: true, force: true }).catch(() => undefined),
    };
  };
  const context: SpecContext = {
    workspace: execution.workspace,
    toolsDir,
    network,
    labels,
    volumes,
    podSecurity: execution.pod?.securityContext,
    allowPrivileged: options.allowPrivileged === true,
  };
  const env = options.env ?? process.env;
  const configFiles = configFilesFor(execution.pod?.imagePullSecrets, options.pullSecretsDir, env);
  const launch = async (request: LaunchRequest, io: LaunchIo): Promise<LaunchedUnit> => {
    const switchboard: KillSwitch = { killed: io.signal?.aborted === true };
    io.signal?.addEventListener("abort", () => {
      switchboard.killed = true;
      switchboard.kill?.();
    });
    const image = request.container?.image ?? options.defaultImage ?? DEFAULT_IMAGE;
    const failed = (error: string): LaunchedUnit => ({
      kill: () => undefined,
      exited: Promise.resolve({
        exitCode: -1,
        startError: error,
        file: image,
        cwd: request.workingDir ?? "",
      }),
      ip: "",
      probe: async () => ({ ok: false, detail: error }),
    });
    const auth = await findAuth(registryOf(image), configFiles);
    const ensured = await ensureImage(docker, image, {
      policy: request.container?.imagePullPolicy,
      auth,
      note: io.note,
      signal: io.signal,
    });
    if (!ensured.ok) return failed(ensured.error);
    if (io.signal?.aborted === true) return failed("stopped before it started");
    const space = request.space;
    const built = buildContainerSpec(request, ensured.facts, {
      ...context,
      ...(space === undefined
        ? {}
        : { workspace: space.workspace, volumes: { ...space.volumes }, mounts: [...space.mounts] }),
      labels: { ...labels, "dev.assay.ref": request.ref },
    });
    if (!built.ok) return failed(built.error);
    return runContainer(docker, built.spec, io, {
      killGraceMs: execution.killGraceMs,
      network,
      switch: switchboard,
    });
  };
  return {
    launch,
    isolate,
    close: async () => {
      const filters = JSON.stringify({
        label: [`${EXECUTION_LABEL}=${execution.executionId}`, `${AGENT_LABEL}=${options.agentId}`],
      });
      const left = await docker.listContainers({ all: true, filters }).catch(() => []);
      await Promise.all(
        left.map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined),
        ),
      );
      await docker
        .getNetwork(network)
        .remove()
        .catch(() => undefined);
      await rm(volumesRoot, { recursive: true, force: true }).catch(() => undefined);
      await rm(workersRoot, { recursive: true, force: true }).catch(() => undefined);
    },
  };
};
