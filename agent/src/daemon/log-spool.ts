/**
 * The disk spool for unacknowledged log bytes beyond the agent's memory bound: one file per
 * execution under `<stateDir>/spool`, written append-only and read back by position when the
 * bytes are (re)sent. Synchronous I/O on purpose: writes are whole sealed segments (at most
 * 64 KiB each), and keeping them synchronous keeps the log's offsets and the file in step
 * without a second queue. The file is emptied when every spilled byte is committed and removed
 * when the execution's result is acknowledged.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

/** One execution's spool file. */
export interface SpoolFile {
  /** Appends `data`; returns its position in the file. */
  append(data: Buffer): number;
  read(position: number, length: number): Buffer;
  /** Empties the file (nothing spilled is unacknowledged any more). */
  reset(): void;
  remove(): void;
}

/** Opens spool files in `dir` (created 0700 on first use). */
export const createSpoolDir = (dir: string) => ({
  open(executionId: string): SpoolFile {
    const file = join(dir, `${executionId.replace(/[^A-Za-z0-9_-]/g, "_")}.log`);
    let fd: number | undefined;
    let size = 0;
    const handle = () => {
      if (fd === undefined) {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        fd = openSync(file, "w+", 0o600);
        size = 0;
      }
      return fd;
    };
    return {
      append(data) {
        const at = size;
        let written = 0;
        while (written < data.length)
          written += writeSync(handle(), data, written, data.length - written, at + written);
        size += data.length;
        return at;
      },
      read(position, length) {
        const out = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
          const n = readSync(handle(), out, read, length - read, position + read);
          if (n === 0) throw new Error(`log spool ${file} is shorter than expected`);
          read += n;
        }
        return out;
      },
      reset() {
        if (fd !== undefined) ftruncateSync(fd, 0);
        size = 0;
      },
      remove() {
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        rmSync(file, { force: true });
      },
    };
  },
});
