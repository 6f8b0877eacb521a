/**
 * CPU and memory peaks per step. Every step runs in its own process group (step-process.ts), so
 * "the step's usage" is the sum over the processes whose group id is the step's: a shell, the
 * test runner it started and that runner's workers. One monitor serves every running step: each
 * tick scans /proc once (not once per step), sums the group members' CPU time and resident
 * memory, and keeps the highest values seen while the step was tracked.
 *
 * CPU percent is the growth of utime+stime of the group's live processes between two ticks,
 * over the wall time between them (100 = one core busy). Time of processes that end between
 * ticks is not counted: peaks are a lower bound, which is the honest direction. Memory is the
 * sum of VmRSS (shared pages count once per process, as `ps` shows them).
 *
 * Off Linux (no /proc) the monitor reports nothing: peaks stay undefined.
 */
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { type Clock, every } from "@assay/shared/time";

/** Peaks of one tracked group; undefined when nothing was measured. */
export interface ResourcePeaks {
  cpuPeakPercent?: number | undefined;
  memoryPeakBytes?: number | undefined;
}

/** One tracked process group. */
export interface ResourceTracker {
  /** Stops tracking and returns the peaks seen. */
  stop(): ResourcePeaks;
}

export interface ResourceMonitor {
  /** Starts tracking process group `pgid` (a step's leader pid). */
  track(pgid: number): ResourceTracker;
  /** Groups tracked now (tests). */
  readonly tracked: number;
}

export interface ResourceMonitorOptions {
  /** Sampling period, default 250 ms. */
  intervalMs?: number;
  /** Where /proc is (tests may point elsewhere), default `/proc`. */
  procRoot?: string;
  /** Clock ticks per second of /proc/<pid>/stat times; 100 on Linux. */
  ticksPerSecond?: number;
  /** Times the samples and drives the sampling timer. */
  clock: Clock;
}

interface Group {
  cpuPeakPercent: number | undefined;
  memoryPeakBytes: number | undefined;
  /** CPU ticks of each member pid at the previous sample. */
  lastTicks: Map<number, number>;
  lastSampleMs: number | undefined;
}

interface ProcSample {
  pid: number;
  pgid: number;
  ticks: number;
}

/** Parses /proc/<pid>/stat: the command name may hold spaces and parentheses, so split after the last ")". */
export const parseStat = (text: string): { pgid: number; ticks: number } | undefined => {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  // Fields after the name: state(3) ppid(4) pgrp(5) ... utime(14) stime(15).
  const fields = text.slice(close + 2).split(" ");
  const pgid = Number(fields[2]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(pgid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { pgid, ticks: utime + stime };
};

/** VmRSS of /proc/<pid>/status in bytes (0 for a zombie or a kernel thread). */
export const parseRssBytes = (status: string): number => {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
};

/** Creates a monitor; its timer runs only while something is tracked. */
export const createResourceMonitor = (options: ResourceMonitorOptions): ResourceMonitor => {
  const intervalMs = options.intervalMs ?? 250;
  const procRoot = options.procRoot ?? "/proc";
  const ticksPerSecond = options.ticksPerSecond ?? 100;
  const { clock } = options;
  const now = () => clock.now();
  const groups = new Map<number, Group>();
  /** Stops the sampling timer; set while something is tracked. */
  let stopTimer: (() => void) | undefined;
  let sampling = false;
  let unavailable = process.platform !== "linux";

  const readText = (path: string) => readFile(path, "utf8").catch(() => undefined);
  const readTextNow = (path: string): string | undefined => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined; // Gone already, or no /proc here.
    }
  };

  const scan = async (): Promise<ProcSample[]> => {
    const names = await readdir(procRoot).catch(() => undefined);
    if (names === undefined) {
      unavailable = true;
      return [];
    }
    const out: ProcSample[] = [];
    await Promise.all(
      names
        .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
        .map(async (name) => {
          const text = await readText(`${procRoot}/${name}/stat`);
          const stat = text === undefined ? undefined : parseStat(text);
          if (stat !== undefined && groups.has(stat.pgid)) out.push({ pid: Number(name), ...stat });
        }),
    );
    return out;
  };

  const sample = async () => {
    if (sampling || unavailable || groups.size === 0) return;
    sampling = true;
    try {
      const at = now();
      const members = await scan();
      const rss = await Promise.all(
        members.map(async (m) => parseRssBytes((await readText(`${procRoot}/${m.pid}/status`)) ?? "")),
      );
      const byGroup = new Map<number, { ticks: Map<number, number>; rss: number }>();
      members.forEach((m, i) => {
        const entry = byGroup.get(m.pgid) ?? { ticks: new Map(), rss: 0 };
        entry.ticks.set(m.pid, m.ticks);
        entry.rss += rss[i] ?? 0;
        byGroup.set(m.pgid, entry);
      });
      for (const [pgid, group] of groups) {
        const seen = byGroup.get(pgid);
        if (seen === undefined) continue;
        if (seen.rss > 0) group.memoryPeakBytes = Math.max(group.memoryPeakBytes ?? 0, seen.rss);
        if (group.lastSampleMs !== undefined && at > group.lastSampleMs) {
          let delta = 0;
          for (const [pid, ticks] of seen.ticks) {
            // A process new since the last sample counts from zero: its whole life was in between.
            delta += Math.max(0, ticks - (group.lastTicks.get(pid) ?? 0));
          }
          const percent = ((delta / ticksPerSecond) * 100_000) / (at - group.lastSampleMs);
          group.cpuPeakPercent = Math.max(group.cpuPeakPercent ?? 0, Math.round(percent * 10) / 10);
        }
        group.lastTicks = seen.ticks;
        group.lastSampleMs = at;
      }
    } finally {
      sampling = false;
    }
  };

  const ensureTimer = () => {
    if (stopTimer !== undefined || groups.size === 0) return;
    stopTimer = every(clock, intervalMs, () => void sample());
  };

  return {
    track(pgid) {
      const group: Group = {
        cpuPeakPercent: undefined,
        memoryPeakBytes: undefined,
        lastTicks: new Map(),
        lastSampleMs: undefined,
      };
      groups.set(pgid, group);
      ensureTimer();
      // The leader at once: its memory, so steps shorter than a tick still report one, and the
      // CPU baseline. Two small synchronous reads (procfs is memory, not disk; ~10 us each), not
      // a /proc scan (a scan per step start cost ~6 ms) and not two asynchronous reads (ten
      // thread-pool round trips per step, each a wake-up of the event loop).
      if (!unavailable) {
        const rss = parseRssBytes(readTextNow(`${procRoot}/${pgid}/status`) ?? "");
        if (rss > 0) group.memoryPeakBytes = rss;
        const stat = readTextNow(`${procRoot}/${pgid}/stat`);
        const ticks = stat === undefined ? undefined : parseStat(stat)?.ticks;
        if (ticks !== undefined) {
          group.lastTicks = new Map([[pgid, ticks]]);
          group.lastSampleMs = now();
        }
      }
      return {
        stop() {
          if (groups.get(pgid) === group) groups.delete(pgid);
          if (groups.size === 0 && stopTimer !== undefined) {
            stopTimer();
            stopTimer = undefined;
          }
          return { cpuPeakPercent: group.cpuPeakPercent, memoryPeakBytes: group.memoryPeakBytes };
        },
      };
    },
    get tracked() {
      return groups.size;
    },
  };
};
