/**
 * Child processes for benchmarks, and what /proc says about them. Memory and descriptors are
 * read from the parent (/proc/PID/status, /proc/PID/fd): a process near its descriptor limit
 * cannot even read its own RSS (process.memoryUsage() throws EMFILE there).
 */
import { type ChildProcess, fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Resident set size of a process, in bytes. */
export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/(\d+)/)?.[1] ?? Number.NaN) * 1024;
}

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSecondsOf(pid: number): number {
  // Fields after the command (which may hold spaces) start after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Open descriptors of a process. */
export const fdCountOf = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** The soft and hard `nofile` limits of a process. */
export function openFileLimitOf(pid: number | "self"): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"));
  const [soft, hard] = (line?.match(/(\d+)\s+(\d+)/) ?? []).slice(1).map(Number);
  return { soft: soft ?? Number.NaN, hard: hard ?? Number.NaN };
}

/** Forks a TypeScript module on this Node with an IPC channel; output goes to our stderr. */
export function forkModule(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return fork(file, args, { env, stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
}

/** The next IPC message from `child` that `accept` takes, within `timeoutMs`. */
export function nextMessage<T>(
  child: ChildProcess,
  accept: (m: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (!accept(m)) return;
      done();
      resolve(m);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`child exited (${code}) before the expected message`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no message from child within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Kills a child and waits for it to exit (bounded). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
