/**
 * One step's process. Each step runs in its own process group (`detached: true`), so a kill
 * reaches everything it started, grandchildren included: SIGTERM to the group, then SIGKILL
 * after a grace period. When the step's main process exits, leftovers in its group are ended
 * the same way, so a backgrounded `sleep` can never hold the run (or its output pipe) open.
 *
 * stdout and stderr go to one callback in arrival order. When the callback reports pressure
 * (unacknowledged log bytes at the bound), both pipes are paused until `drained()` resolves:
 * the child then blocks on a full pipe instead of losing output.
 */
import { spawn } from "node:child_process";
import type { Clock } from "@assay/shared/time";

/** What to start. */
export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** How the process ended: its exit code, or -1 with the signal when it did not exit on its own. */
export interface ProcessExit {
  exitCode: number;
  signal?: NodeJS.Signals | undefined;
  /** Set when the process could not be started at all. */
  spawnError?: string | undefined;
}

/** A started step process. */
export interface StepProcess {
  readonly pid: number | undefined;
  /** Ends the whole process group: SIGTERM now, SIGKILL after the grace period. */
  kill(): void;
  /** Sends `signal` to the whole process group (SIGSTOP / SIGCONT to pause and resume it). */
  signal(signal: NodeJS.Signals): void;
  readonly exited: Promise<ProcessExit>;
}

export interface ProcessIo {
  /** Receives output; returns false to pause reading until `drained()` resolves. */
  output(data: Uint8Array, stream: "stdout" | "stderr"): boolean;
  drained(): Promise<void>;
  /** Called once per stream when it ends (flush any held-back bytes). */
  ended?(stream: "stdout" | "stderr"): void;
}

const signalGroup = (pid: number, signal: NodeJS.Signals): boolean => {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is already gone.
  }
};

/** How the group is ended: the grace between SIGTERM and SIGKILL, timed on `clock`. */
export interface KillTiming {
  clock: Clock;
  killGraceMs: number;
}

/** Starts `spec` in its own process group. */
export const startStepProcess = (
  spec: ProcessSpec,
  io: ProcessIo,
  { clock, killGraceMs }: KillTiming,
): StepProcess => {
  const child = spawn(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  let killArmed = false;

  const endGroup = () => {
    if (pid === undefined) return;
    if (!signalGroup(pid, "SIGTERM")) return;
    if (killArmed) return;
    killArmed = true;
    clock.after(killGraceMs, () => signalGroup(pid, "SIGKILL"));
  };

  let paused = false;
  const onData = (stream: "stdout" | "stderr") => (data: Buffer) => {
    if (io.output(data, stream) || paused) return;
    paused = true;
    child.stdout?.pause();
    child.stderr?.pause();
    void io.drained().then(() => {
      paused = false;
      child.stdout?.resume();
      child.stderr?.resume();
    });
  };
  child.stdout?.on("data", onData("stdout"));
  child.stderr?.on("data", onData("stderr"));
  child.stdout?.on("end", () => io.ended?.("stdout"));
  child.stderr?.on("end", () => io.ended?.("stderr"));

  const exited = new Promise<ProcessExit>((resolve) => {
    let exit: ProcessExit | undefined;
    let settled = false;
    const settle = () => {
      if (settled || exit === undefined) return;
      settled = true;
      // The SIGKILL timer stays armed: a group member that ignored SIGTERM still goes.
      resolve(exit);
    };
    child.once("error", (error) => {
      exit = { exitCode: -1, spawnError: error.message };
      settle();
    });
    child.once("exit", (code, signal) => {
      exit = code === null ? { exitCode: -1, signal: signal ?? undefined } : { exitCode: code };
      // Leftovers of the group would keep the pipes open: end them too.
      endGroup();
      // If something outside the group still holds the pipes, stop waiting for them.
      clock.after(killGraceMs + 1000, () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle();
      });
    });
    child.once("close", () => settle());
  });

  const signal = (name: NodeJS.Signals) => {
    if (pid !== undefined) signalGroup(pid, name);
  };
  return { pid, kill: endGroup, signal, exited };
};
