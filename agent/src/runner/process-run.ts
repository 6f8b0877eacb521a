/**
 * One process of a step or a service, with everything the runner wraps around it: `/data`
 * mapping and the working directory, secret masking of both streams, the log sink (with
 * back-pressure), CPU and memory peaks of its process group, and kills from the scope
 * (timeout, fail-fast cancel) or the run-wide abort. Steps await `finished`; services keep
 * the handle and `stop()` it at the end of their scope.
 */
import { mkdir } from "node:fs/promises";
import { createStreamMasker } from "./masker.ts";
import type { ResourceMonitor, ResourcePeaks } from "./resource-monitor.ts";
import type { Scope } from "./scope.ts";
import { type ProcessExit, startStepProcess } from "./step-process.ts";
import type { RunnerSink } from "./types.ts";
import { mapDataPaths, resolveWorkingDir } from "./workspace.ts";

/** What a process needs from the run. */
export interface ProcessContext {
  workspace: string;
  sink: RunnerSink;
  baseEnv: Record<string, string>;
  secrets: readonly string[];
  killGraceMs: number;
  monitor: ResourceMonitor;
  /** Kill functions of everything running, for the run-wide abort. */
  active: Set<() => void>;
}

/** What to run: a shell script or a command, in a directory, with an environment. */
export interface ProcessRequest {
  ref: string;
  shell?: string | undefined;
  shellProgram?: string | undefined;
  command?: string[] | undefined;
  args?: string[] | undefined;
  workingDir?: string | undefined;
  env: Record<string, string>;
}

/** How the process ended, who killed it, and its peaks. */
export interface ProcessResult extends ProcessExit, ResourcePeaks {
  killedBy?: "timeout" | "abort" | "cancel" | "stop" | undefined;
  cwd: string;
  file: string;
}

/** A started process. */
export interface RunningProcess {
  readonly cwd: string;
  readonly finished: Promise<ProcessResult>;
  /** Ends the process group on purpose (a service at the end of its scope). */
  stop(): void;
}

/** The argv for a request: `sh -c` with `set -e` for shell scripts, the command otherwise. */
export const argvOf = (request: ProcessRequest, workspace: string): [string, string[]] => {
  if (request.shell !== undefined) {
    // Testkube runs shell steps with `set -e`: the first failing command fails the step.
    return [request.shellProgram ?? "/bin/sh", ["-c", `set -e\n${mapDataPaths(request.shell, workspace)}`]];
  }
  const list = request.command ?? [];
  return [list[0] ?? "", [...list.slice(1), ...(request.args ?? [])].map((a) => mapDataPaths(a, workspace))];
};

/** Starts `request` inside `scope`; `abortRequested` says whether the run was aborted already. */
export const startProcess = async (
  ctx: ProcessContext,
  request: ProcessRequest,
  scope: Scope,
  abortRequested: boolean,
): Promise<RunningProcess> => {
  const [file, args] = argvOf(request, ctx.workspace);
  const cwd = resolveWorkingDir(ctx.workspace, request.workingDir);
  if (cwd.startsWith(ctx.workspace)) await mkdir(cwd, { recursive: true });
  const maskers = { stdout: createStreamMasker(ctx.secrets), stderr: createStreamMasker(ctx.secrets) };
  let killedBy: ProcessResult["killedBy"];
  const proc = startStepProcess(
    { file, args, cwd, env: { ...ctx.baseEnv, ...request.env } },
    {
      output: (data, stream) => {
        const safe = maskers[stream].push(data);
        return safe.length === 0 ? true : ctx.sink.log(request.ref, safe);
      },
      drained: () => ctx.sink.drained(),
    },
    ctx.killGraceMs,
  );
  const tracker = proc.pid === undefined ? undefined : ctx.monitor.track(proc.pid);
  const kill = (why: NonNullable<ProcessResult["killedBy"]>) => {
    killedBy ??= why;
    proc.kill();
  };
  const offScope = scope.onTimeout(() => kill(scope.ended()?.kind === "cancelled" ? "cancel" : "timeout"));
  const killForAbort = () => kill("abort");
  ctx.active.add(killForAbort);
  if (abortRequested) killForAbort();
  else if (scope.ended() !== undefined) kill(scope.timedOut() ? "timeout" : "cancel");
  const finished = proc.exited.then((exit): ProcessResult => {
    offScope();
    ctx.active.delete(killForAbort);
    const peaks = tracker?.stop() ?? {};
    for (const masker of Object.values(maskers)) {
      const rest = masker.end();
      if (rest.length > 0) ctx.sink.log(request.ref, rest);
    }
    return { ...exit, ...peaks, killedBy, cwd, file };
  });
  return { cwd, finished, stop: () => kill("stop") };
};
