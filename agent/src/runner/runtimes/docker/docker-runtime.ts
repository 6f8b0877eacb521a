/**
 * The Docker runtime: every unit (step, service instance, worker step) is its own container of
 * its effective image, on a network created for the execution (services are reachable by name
 * and by `services.NAME.N.ip`). The execution's workspace is `/data` in every container, so
 * content (files, git, tarballs) written there by the agent and files left by one step are
 * seen by the next, and artifacts are collected from it. `pod.volumes` are prepared by kind
 * (volumes.ts) and bound where `volumeMounts` say. A parallel worker gets a space of its own
 * (`isolate`): its own /data and emptyDirs, and volumes mounted for its transfers. Bind sources
 * are the engine host's paths of the agent's files (host-paths.ts), so the agent may itself run
 * in a container of the engine.
 *
 * Nothing leaks: every container and network carries the labels `dev.assay.agent` (this agent's
 * id) and `dev.assay.execution`; `close()` removes what the execution left, and the sweep at
 * agent start (engine-start.ts) removes what a crashed predecessor with the same agent id left,
 * never anything labelled with another agent's id.
 */
import { randomBytes } from "node:crypto";
import { access, chmod, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnerFeature } from "@assay/shared/workflow";
import type Docker from "dockerode";
import type {
  ExecutionRuntime,
  ExecutionRuntimeOptions,
  LaunchedUnit,
  LaunchIo,
  LaunchRequest,
  StepRuntime,
  WorkerSpace,
} from "../runtime.ts";
import { buildContainerSpec, type SpecContext, TOOLS_DIR } from "./container-spec.ts";
import { type KillSwitch, runContainer } from "./container-unit.ts";
import { AGENT_LABEL, engineClient } from "./engine-start.ts";
import { detectHostPaths, type ToHost } from "./host-paths.ts";
import { configFilesFor, engineMessage, ensureImage, findAuth, registryOf } from "./images.ts";
import { prepareTools } from "./tools.ts";
import { type MountSource, prepareVolumes, workerVolumes, worldWritable } from "./volumes.ts";

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
  /** Let workflows mount `hostPath` pod volumes (the agent host's files). */
  allowHostPaths?: boolean | undefined;
  /** Directory of `<secret name>.json` Docker config files for `pod.imagePullSecrets`. */
  pullSecretsDir?: string | undefined;
  /** Where `DOCKER_CONFIG` is read; default the agent's environment. */
  env?: Record<string, string | undefined> | undefined;
}

/** The planner features a container runtime adds. */
export const DOCKER_FEATURES: readonly RunnerFeature[] = ["image-entrypoint"];

/** Default image of steps that name none. */
export const DEFAULT_IMAGE = "busybox:stable";

/** Creates the Docker runtime. */
export const createDockerRuntime = (options: DockerRuntimeOptions): StepRuntime => {
  // dockerode loads with the first execution (engine-start.ts makes the calls at start).
  let client: Promise<Docker> | undefined = options.docker && Promise.resolve(options.docker);
  const toolsDir = options.toolsDir ?? join(tmpdir(), "assay-docker-tools");
  let tools: Promise<void> | undefined;
  let hostPaths: ReturnType<typeof detectHostPaths> | undefined;
  return {
    name: "docker",
    features: options.allowHostPaths === true ? [...DOCKER_FEATURES, "volumes.hostPath"] : DOCKER_FEATURES,
    containers: true,
    open: async (execution) => {
      client ??= engineClient();
      const docker = await client;
      await docker.ping().catch((error: unknown) => {
        throw new Error(`the Docker engine does not answer (${engineMessage(error)}); is dockerd running?`);
      });
      tools ??= prepareTools(options.busyboxPath ?? (await defaultBusybox()), toolsDir);
      await tools.catch((error: Error) => {
        tools = undefined;
        throw error;
      });
      hostPaths ??= detectHostPaths(docker);
      const { toHost } = await hostPaths;
      return openExecution(docker, options, toolsDir, execution, toHost);
    },
  };
};

/**
 * Gives files that containers wrote (as root, most often) back to the agent's own user, so that
 * an agent that does not run as root can remove its workspaces: one short container of an image
 * the execution already has, running the bound busybox's chown. Never throws.
 */
const reclaimFiles = async (
  docker: Docker,
  job: {
    image: string | undefined;
    dirs: string[];
    toHost: ToHost;
    toolsDir: string;
    labels: Record<string, string>;
  },
): Promise<void> => {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0 || job.image === undefined) return;
  const present: string[] = [];
  for (const dir of job.dirs)
    if (
      await access(dir).then(
        () => true,
        () => false,
      )
    )
      present.push(dir);
  if (present.length === 0) return;
  const binds = present.map((dir, i) => `${job.toHost(dir)}:/reclaim/${i}`);
  try {
    const container = await docker.createContainer({
      Image: job.image,
      Entrypoint: [`${TOOLS_DIR}/busybox`],
      Cmd: ["chown", "-R", `${uid}:${process.getgid?.() ?? uid}`, ...present.map((_, i) => `/reclaim/${i}`)],
      User: "0:0",
      Labels: job.labels,
      HostConfig: { Binds: [...binds, `${job.toolsDir}:${TOOLS_DIR}:ro`], NetworkMode: "none" },
    });
    await container.start();
    await container.wait();
    await container.remove({ force: true });
  } catch {
    // Best effort: files it could not give back stay in the agent's work dir.
  }
};

/** A static busybox of the agent image, else the host's `/bin/busybox`. */
const defaultBusybox = async (): Promise<string> => {
  const bundled = "/opt/assay-agent/bin/busybox";
  return (await access(bundled).then(
    () => true,
    () => false,
  ))
    ? bundled
    : "/bin/busybox";
};

const safeName = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 40);

const openExecution = async (
  docker: Docker,
  options: DockerRuntimeOptions,
  toolsDir: string,
  execution: ExecutionRuntimeOptions,
  toHost: ToHost,
): Promise<ExecutionRuntime> => {
  // Bind sources are the engine host's paths (the agent may itself run in a container).
  const hostWorkspace = toHost(execution.workspace);
  const hostTools = toHost(toolsDir);
  const hostVolumes = (volumes: Record<string, MountSource>) =>
    Object.fromEntries(
      Object.entries(volumes).map(([name, v]) => [
        name,
        v.named || v.onHost ? v : { ...v, source: toHost(v.source) },
      ]),
    );
  let lastImage: string | undefined;
  const labels = { [AGENT_LABEL]: options.agentId, [EXECUTION_LABEL]: execution.executionId };
  const network = `assay-${safeName(execution.executionId)}-${randomBytes(4).toString("hex")}`;
  await docker.createNetwork({ Name: network, Driver: "bridge", Labels: labels, CheckDuplicate: true });
  // Steps may run as any user (runAsUser): /data must be writable by them all, as an emptyDir is.
  await chmod(execution.workspace, 0o777);
  const volumesRoot = `${execution.workspace}.volumes`;
  const workersRoot = `${execution.workspace}.workers`;
  const volumes = await prepareVolumes(execution.pod?.volumes, {
    docker,
    root: volumesRoot,
    allowHostPaths: options.allowHostPaths === true,
    labels: { [AGENT_LABEL]: options.agentId },
  }).catch(async (error: unknown) => {
    await docker
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
    await rm(volumesRoot, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  });
  let workers = 0;
  // Each parallel worker: its own /data, its own copies of the emptyDirs, its transfer mounts.
  const isolate = async (ref: string): Promise<WorkerSpace> => {
    const root = join(workersRoot, `${safeName(ref)}-${++workers}`);
    const space = {
      workspace: join(root, "data"),
      volumes: await workerVolumes(execution.pod?.volumes, volumes, join(root, "volumes")),
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
    workspace: hostWorkspace,
    toolsDir: hostTools,
    network,
    labels,
    volumes: hostVolumes(volumes),
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
    lastImage = image;
    const space = request.space;
    const built = buildContainerSpec(request, ensured.facts, {
      ...context,
      ...(space === undefined
        ? {}
        : {
            workspace: toHost(space.workspace),
            volumes: hostVolumes(space.volumes as Record<string, MountSource>),
            mounts: space.mounts.map((m) => ({ path: m.path, host: toHost(m.host) })),
          }),
      // A service instance has no outputs directory (Testkube prepares none for it).
      outputsDir:
        request.kind === "step" && request.outputsDir !== undefined ? toHost(request.outputsDir) : undefined,
      labels: { ...labels, "dev.assay.ref": request.ref },
    });
    if (!built.ok) return failed(built.error);
    return runContainer(docker, built.spec, io, {
      clock: execution.clock,
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
      await reclaimFiles(docker, {
        image: lastImage,
        dirs: [execution.workspace, volumesRoot, workersRoot],
        toHost,
        toolsDir: hostTools,
        labels,
      });
      await rm(volumesRoot, { recursive: true, force: true }).catch(() => undefined);
      await rm(workersRoot, { recursive: true, force: true }).catch(() => undefined);
    },
  };
};
