/**
 * The process runtime: each unit is a process group on the agent host (step-process.ts), in the
 * execution's workspace. Testkube's `/data` volume is the workspace itself: `/data` path words
 * in the shell script, the command, the arguments, the working directory and env values are
 * mapped onto it (literals that merely mention `/data` inside a longer word stay as written).
 * Container settings (image, resources, security context) are not honoured here; the planner
 * warns about them. A service's address is the loopback one.
 */
import { statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { PlannedProbe } from "@assay/shared/workflow";
import { probeOnce } from "../../probes.ts";
import { startStepProcess } from "../../step-process.ts";
import { mapDataPaths, resolveWorkingDir } from "../../workspace.ts";
import type {
  ExecutionRuntime,
  ExecutionRuntimeOptions,
  LaunchExit,
  LaunchedUnit,
  LaunchIo,
  LaunchRequest,
  StepRuntime,
} from "../runtime.ts";

/** The argv for a request: `sh -c` with `set -e` for shell scripts, the command otherwise. */
export const processArgv = (request: LaunchRequest, workspace: string): [string, string[]] => {
  const map = (text: string) => mapDataPaths(text, workspace, request.outputsDir);
  if (request.shell !== undefined) {
    // Testkube runs shell steps with `set -e`: the first failing command fails the step.
    return [request.shellProgram ?? "/bin/sh", ["-c", `set -e\n${map(request.shell)}`]];
  }
  const list = [...(request.command ?? []), ...(request.args ?? [])].map(map);
  return [list[0] ?? "", list.slice(1)];
};

/** Env values that are `/data` paths (or path lists) point into the workspace too. */
const mapEnv = (request: LaunchRequest, workspace: string): Record<string, string> =>
  Object.fromEntries(
    Object.entries(request.env).map(([k, v]) => [k, mapDataPaths(v, workspace, request.outputsDir)]),
  );

/**
 * True when `dir` is a directory now: one synchronous metadata call (a few microseconds) for the
 * usual case, the workspace or a directory an earlier step made, instead of a thread-pool
 * round trip for a `mkdir` with nothing to do. Checked per launch, not remembered: a step may
 * have removed it.
 */
const isDirNow = (dir: string): boolean => {
  try {
    return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // mkdir then says what is wrong.
  }
};

const launch = async (
  options: ExecutionRuntimeOptions,
  request: LaunchRequest,
  io: LaunchIo,
): Promise<LaunchedUnit> => {
  const { workspace } = options;
  const [file, args] = processArgv(request, workspace);
  const cwd = resolveWorkingDir(workspace, request.workingDir);
  if (cwd.startsWith(workspace) && !isDirNow(cwd)) await mkdir(cwd, { recursive: true });
  const env = { ...options.baseEnv, CI: "1", ...mapEnv(request, workspace) };
  const proc = startStepProcess({ file, args, cwd, env }, io, options);
  const tracker = proc.pid === undefined ? undefined : options.monitor.track(proc.pid);
  const exited = proc.exited.then((exit): LaunchExit => {
    const peaks = tracker?.stop() ?? {};
    const base = { file, cwd, ...peaks };
    if (exit.spawnError !== undefined)
      return { ...base, exitCode: -1, startError: `cannot start "${file}" in ${cwd}: ${exit.spawnError}` };
    return { ...base, exitCode: exit.exitCode, signal: exit.signal };
  });
  return {
    // A stopped process cannot act on SIGTERM: a kill lets it go on first.
    kill: () => {
      proc.signal("SIGCONT");
      proc.kill();
    },
    exited,
    pause: async () => proc.signal("SIGSTOP"),
    resume: async () => proc.signal("SIGCONT"),
    ip: "127.0.0.1",
    probe: (probe: PlannedProbe) => probeOnce(probe, cwd, env),
  };
};

/** Creates the process runtime. */
export const createProcessRuntime = (): StepRuntime => ({
  name: "process",
  features: [],
  containers: false,
  open: async (options): Promise<ExecutionRuntime> => ({
    launch: (request, io) => launch(options, request, io),
    close: async () => undefined,
  }),
});
