/**
 * What the registry does when unacknowledged output reaches the agent's memory bound: spill the
 * biggest logs' sealed segments to the disk spool, segment by segment while the spool has room
 * (so a spool smaller than the memory bound is still used), and when neither memory nor the
 * spool can take more, or the spool's disk is full (ENOSPC), pause output: the runner's sink
 * answers "not drained" and the steps block on their pipes until acknowledgements free memory.
 * Nothing is dropped and the agent keeps running.
 *
 * Pausing is said where people look: in the agent's own log at once, and in the execution's log
 * as an `[assay] warning:` line placed at the next line boundary, never inside a step's line.
 */
import type { ExecutionLog } from "./execution-log.ts";

/** The part of a registry entry the relief works on. */
export interface SpoolingEntry {
  readonly id: string;
  readonly log: ExecutionLog;
  /** Times output paused for this execution (the result mentions it when non-zero). */
  spoolFull: number;
  /** A warning waiting for the log to reach a line boundary. */
  pendingWarning?: string | undefined;
}

export interface SpoolReliefOptions {
  entries: () => Iterable<SpoolingEntry>;
  maxHeldBytes: number;
  maxSpoolBytes: number;
  /** False without a spool directory: output pauses at the memory bound. */
  spoolEnabled: boolean;
  /** The agent's own log. */
  log: (line: string) => void;
}

const errorText = (error: unknown): string => {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
};

export function createSpoolRelief(options: SpoolReliefOptions) {
  const { maxHeldBytes, maxSpoolBytes } = options;
  const total = (pick: (log: ExecutionLog) => number) => {
    let sum = 0;
    for (const entry of options.entries()) sum += pick(entry.log);
    return sum;
  };
  const memoryHeld = () => total((log) => log.memoryBytes);
  const spooled = () => total((log) => log.spooledBytes);

  const warnAtLineStart = (entry: SpoolingEntry) => {
    if (entry.pendingWarning === undefined || !entry.log.atLineStart) return;
    entry.log.append("", Buffer.from(`[assay] warning: ${entry.pendingWarning}\n`));
    entry.pendingWarning = undefined;
  };

  /** Spills while memory is over half the bound; returns why it stopped short, if it failed. */
  const spill = (): string | undefined => {
    const biggest = [...options.entries()].sort((a, b) => b.log.memoryBytes - a.log.memoryBytes);
    for (const entry of biggest) {
      if (memoryHeld() < maxHeldBytes / 2 || entry.log.memoryBytes === 0) return undefined;
      const room = maxSpoolBytes - spooled();
      if (room <= 0) return undefined;
      try {
        entry.log.spill(room);
      } catch (error) {
        return errorText(error);
      }
    }
    return undefined;
  };

  return {
    memoryHeld,
    /** Memory is at the bound after `producer` wrote: spill, or pause and say so. */
    relieve(producer: SpoolingEntry): void {
      const failure = options.spoolEnabled ? spill() : undefined;
      if (memoryHeld() < maxHeldBytes) return;
      // Said once per stint (and every 100th time), in the agent's log and the execution's.
      if (producer.spoolFull++ !== 0 && producer.spoolFull % 100 !== 1) return;
      const text =
        failure === undefined
          ? `the log spool is full (${spooled()} bytes unacknowledged on disk, limit ${maxSpoolBytes}): step output is paused until the control plane acknowledges`
          : `the log spool cannot be written (${failure}: is the disk full?): step output is paused until the control plane acknowledges`;
      options.log(`execution ${producer.id}: ${text}`);
      producer.pendingWarning = text;
      warnAtLineStart(producer);
    },
    /** After output was appended: a waiting warning goes in once the line is complete. */
    afterAppend: warnAtLineStart,
    /** The execution ended: a warning still waiting goes in on a line of its own. */
    atFinish(entry: SpoolingEntry): void {
      if (entry.pendingWarning === undefined) return;
      if (!entry.log.atLineStart) entry.log.append("", Buffer.from("\n"));
      warnAtLineStart(entry);
    },
  };
}
