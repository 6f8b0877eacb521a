/**
 * One unit (a step's process or a service instance) with everything the runner wraps around
 * the runtime that starts it: secret masking of both streams, the log sink (with
 * back-pressure), and kills from the scope (timeout, fail-fast cancel) or the run-wide abort.
 * Where and how the unit runs is the runtime's business (runtimes/runtime.ts). Steps await
 * `finished`; services keep the handle and `stop()` it at the end of their scope.
 */
import { createStreamMasker } from "./masker.ts";
import type { ExecutionRuntime, LaunchExit, LaunchedUnit, LaunchRequest } from "./runtimes/runtime.ts";
import type { Scope } from "./scope.ts";
import type { RunnerSink } from "./types.ts";

/** What a unit needs from the run. */
export interface ProcessContext {
  runtime: ExecutionRuntime;
  sink: RunnerSink;
  secrets: readonly string[];
  /** Kill functions of everything running, for the run-wide abort. */
  active: Set<() => void>;
  /** Everything started and not yet exited, to pause and resume the run. */
  units: Set<LaunchedUnit>;
  /** The run is paused now: a unit that starts meanwhile is paused at once. */
  paused(): boolean;
  /** A unit is being started (`ref`), or started: the run's initialization ends (run-plan.ts). */
  starting(ref: string): void;
  started(): void;
}

/** What to run, rendered. */
export type ProcessRequest = LaunchRequest;

/** How the unit ended and who killed it. */
export interface ProcessResult extends LaunchExit {
  killedBy?: "timeout" | "abort" | "cancel" | "stop" | undefined;
}

/** A started unit. */
export interface RunningProcess {
  readonly unit: LaunchedUnit;
  readonly finished: Promise<ProcessResult>;
  /** Ends the unit on purpose (a service at the end of its scope). */
  stop(): void;
}

/** Starts `request` inside `scope`; `abortRequested` says whether the run was aborted already. */
export const startProcess = async (
  ctx: ProcessContext,
  request: ProcessRequest,
  scope: Scope,
  abortRequested: boolean,
): Promise<RunningProcess> => {
  const maskers = { stdout: createStreamMasker(ctx.secrets), stderr: createStreamMasker(ctx.secrets) };
  let killedBy: ProcessResult["killedBy"];
  let unit: LaunchedUnit | undefined;
  const preparing = new AbortController();
  const kill = (why: NonNullable<ProcessResult["killedBy"]>) => {
    killedBy ??= why;
    if (unit === undefined) preparing.abort();
    else unit.kill();
  };
  // Registered before the launch: an abort or timeout during an image pull still ends the unit.
  const offScope = scope.onTimeout(() => kill(scope.ended()?.kind === "cancelled" ? "cancel" : "timeout"));
  const killForAbort = () => kill("abort");
  ctx.active.add(killForAbort);
  ctx.starting(request.ref);
  unit = await ctx.runtime.launch(request, {
    output: (data, stream) => {
      const safe = maskers[stream].push(data);
      return safe.length === 0 ? true : ctx.sink.log(request.ref, safe, stream);
    },
    drained: () => ctx.sink.drained(),
    note: (text) => {
      ctx.sink.log(request.ref, Buffer.from(`${text}\n`));
    },
    signal: preparing.signal,
  });
  ctx.units.add(unit);
  if (killedBy === undefined) ctx.started();
  if (ctx.paused()) await unit.pause?.();
  if (abortRequested) killForAbort();
  else if (killedBy !== undefined) unit.kill();
  else if (scope.ended() !== undefined) kill(scope.timedOut() ? "timeout" : "cancel");
  const finished = unit.exited.then((exit): ProcessResult => {
    offScope();
    ctx.active.delete(killForAbort);
    ctx.units.delete(started);
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = maskers[stream].end();
      if (rest.length > 0) ctx.sink.log(request.ref, rest, stream);
    }
    return { ...exit, killedBy };
  });
  const started = unit;
  return { unit: started, finished, stop: () => kill("stop") };
};
