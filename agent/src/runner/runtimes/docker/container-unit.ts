/**
 * One unit as a container: created (not started) with its output attached, started, watched
 * (engine stats for CPU and memory peaks), awaited, inspected (an OOM kill is reported as
 * `OOMKilled`, exit 137) and removed. `kill()` sends SIGTERM and, after the grace, SIGKILL; a
 * kill that arrives before the container exists (during a pull) keeps it from starting.
 * Output is demultiplexed into stdout and stderr; when the sink reports pressure, the attach
 * stream is paused (the container then blocks on a full pipe, nothing is lost).
 */
import { PassThrough } from "node:stream";
import { type Clock, sleep } from "@assay/shared/time";
import type { PlannedProbe } from "@assay/shared/workflow";
import type Docker from "dockerode";
import { type ProbeOutcome, probeOnce } from "../../probes.ts";
import type { LaunchExit, LaunchedUnit, LaunchIo } from "../runtime.ts";
import type { ContainerSpec } from "./container-spec.ts";
import { engineMessage } from "./images.ts";

interface Peaks {
  cpuPeakPercent?: number | undefined;
  memoryPeakBytes?: number | undefined;
}

/** A kill switch that exists before the container does. */
export interface KillSwitch {
  killed: boolean;
  kill?: (() => void) | undefined;
}

/** Reads the engine's stats stream and keeps the highest CPU percent and memory usage. */
const watchStats = async (container: Docker.Container, peaks: Peaks): Promise<() => void> => {
  const stream = (await container.stats({ stream: true }).catch(() => undefined)) as
    | NodeJS.ReadableStream
    | undefined;
  if (stream === undefined) return () => undefined;
  let buffered = "";
  stream.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      recordSample(line, peaks);
    }
  });
  stream.on("error", () => undefined);
  return () => (stream as unknown as { destroy?: () => void }).destroy?.();
};

const recordSample = (line: string, peaks: Peaks) => {
  try {
    const s = JSON.parse(line) as Docker.ContainerStats;
    const cpu = s.cpu_stats?.cpu_usage?.total_usage - s.precpu_stats?.cpu_usage?.total_usage;
    const system = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
    const cores = s.cpu_stats?.online_cpus ?? 1;
    if (cpu > 0 && system > 0)
      peaks.cpuPeakPercent = Math.max(peaks.cpuPeakPercent ?? 0, (cpu / system) * cores * 100);
    const cache = (s.memory_stats?.stats as Record<string, number> | undefined)?.cache ?? 0;
    const memory = (s.memory_stats?.usage ?? 0) - cache;
    if (memory > 0) peaks.memoryPeakBytes = Math.max(peaks.memoryPeakBytes ?? 0, memory);
  } catch {
    // A partial or foreign line: ignore it.
  }
};

/** Pipes the attach stream into `io`, pausing it while the sink is full; resolves at its end. */
const pipeOutput = (docker: Docker, stream: NodeJS.ReadableStream, io: LaunchIo): Promise<void> => {
  const out = new PassThrough();
  const err = new PassThrough();
  let paused = false;
  const onData = (kind: "stdout" | "stderr") => (data: Buffer) => {
    if (io.output(data, kind) || paused) return;
    paused = true;
    stream.pause();
    void io.drained().then(() => {
      paused = false;
      stream.resume();
    });
  };
  out.on("data", onData("stdout"));
  err.on("data", onData("stderr"));
  docker.modem.demuxStream(stream, out, err);
  return new Promise((resolve) => {
    stream.once("end", () => resolve());
    stream.once("close", () => resolve());
    stream.once("error", () => resolve());
  });
};

const failedStart = (file: string, cwd: string, startError: string): LaunchExit => ({
  exitCode: -1,
  startError,
  file,
  cwd,
});

/** Starts `spec` (the image is present); the unit resolves `exited` after removing it. */
export const runContainer = async (
  docker: Docker,
  spec: ContainerSpec,
  io: LaunchIo,
  options: { clock: Clock; killGraceMs: number; network: string; switch: KillSwitch },
): Promise<LaunchedUnit> => {
  const { clock } = options;
  const file = [...(spec.Entrypoint ?? []), ...(spec.Cmd ?? [])][0] ?? `${spec.Image} (entrypoint)`;
  const cwd = spec.WorkingDir ?? "(image default)";
  const notStarted = (error: string): LaunchedUnit => ({
    kill: () => undefined,
    exited: Promise.resolve(failedStart(file, cwd, error)),
    ip: "",
    probe: async () => ({ ok: false, detail: error }),
  });
  if (options.switch.killed)
    return {
      ...notStarted("stopped before it started"),
      exited: Promise.resolve({ exitCode: -1, file, cwd }),
    };
  let container: Docker.Container;
  try {
    container = await docker.createContainer({ ...spec, AttachStdout: true, AttachStderr: true, Tty: false });
  } catch (error) {
    return notStarted(`cannot create the container of image ${spec.Image}: ${engineMessage(error)}`);
  }
  const remove = () => container.remove({ force: true, v: true }).catch(() => undefined);
  const attached = (await container.attach({
    stream: true,
    stdout: true,
    stderr: true,
  })) as NodeJS.ReadableStream;
  const outputDone = pipeOutput(docker, attached, io);
  try {
    await container.start();
  } catch (error) {
    (attached as unknown as { destroy?: () => void }).destroy?.();
    await remove();
    return notStarted(`cannot start "${file}" in image ${spec.Image}: ${engineMessage(error)}`);
  }
  const peaks: Peaks = {};
  const stopStats = await watchStats(container, peaks);
  const info = await container.inspect().catch(() => undefined);
  const ip = info?.NetworkSettings?.Networks?.[options.network]?.IPAddress ?? "";
  let cancelKill: (() => void) | undefined;
  const kill = () => {
    if (cancelKill !== undefined) return;
    void container.kill({ signal: "SIGTERM" }).catch(() => undefined);
    cancelKill = clock.after(
      options.killGraceMs,
      () => void container.kill({ signal: "SIGKILL" }).catch(() => undefined),
    );
  };
  options.switch.kill = kill;
  if (options.switch.killed) kill();
  const exited = (async (): Promise<LaunchExit> => {
    const waited = (await container.wait().catch(() => ({ StatusCode: -1 }))) as { StatusCode: number };
    await Promise.race([outputDone, sleep(clock, 2000)]);
    stopStats();
    cancelKill?.();
    const state = (await container.inspect().catch(() => undefined))?.State;
    await remove();
    const exitCode = state?.ExitCode ?? waited.StatusCode;
    const reason = state?.OOMKilled === true ? "OOMKilled" : undefined;
    return { exitCode, reason, file, cwd, ...peaks };
  })();
  let paused = false;
  return {
    kill: () => {
      // A frozen container would hold the SIGTERM until it is thawed.
      if (paused) void container.unpause().catch(() => undefined);
      paused = false;
      kill();
    },
    exited,
    ip,
    probe: (probe) => probeContainer(clock, container, ip, probe),
    pause: async () => {
      paused = true;
      await container.pause().catch(() => undefined);
    },
    resume: async () => {
      paused = false;
      await container.unpause().catch(() => undefined);
    },
  };
};

/** One probe attempt: tcp/http against the container's address, exec inside it. */
const probeContainer = async (
  clock: Clock,
  container: Docker.Container,
  ip: string,
  probe: PlannedProbe,
): Promise<ProbeOutcome> => {
  const local = (host: string) => (host === "127.0.0.1" || host === "localhost" || host === "" ? ip : host);
  if (probe.tcp !== undefined)
    return probeOnce({ ...probe, tcp: { ...probe.tcp, host: local(probe.tcp.host) } }, "/", {});
  if (probe.http !== undefined)
    return probeOnce({ ...probe, http: { ...probe.http, host: local(probe.http.host) } }, "/", {});
  if (probe.exec === undefined) return { ok: true };
  const command = probe.exec.command;
  try {
    const exec = await container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    stream.resume();
    const code = await new Promise<number | null>((resolve) => {
      const cancel = clock.after(probe.timeoutMs, () => resolve(null));
      stream.once("end", () => {
        cancel();
        void exec.inspect().then(
          (i) => resolve(i.ExitCode ?? null),
          () => resolve(null),
        );
      });
    });
    if (code === 0) return { ok: true };
    return {
      ok: false,
      detail: `${command.join(" ")}: ${code === null ? "timed out" : `exit code ${code}`}`,
    };
  } catch (error) {
    return { ok: false, detail: `${command.join(" ")}: ${engineMessage(error)}` };
  }
};
