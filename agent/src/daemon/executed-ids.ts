/**
 * Execution ids this installation has run, kept in the state directory so that a duplicate
 * (or late, reordered) RunCommand is refused even after the agent restarted: a workflow never
 * runs twice on one agent. The file is append-only, one id per line, written synchronously
 * before the run starts (a crash after the write loses the run, never doubles it). It is
 * compacted to the newest `maxIds` on load, which bounds it for agents that run for years.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The set of executed ids. */
export interface ExecutedIds {
  has(executionId: string): boolean;
  /** Records `executionId` durably. */
  add(executionId: string): void;
}

/** In memory only (tests, or an agent without a state directory). */
export const memoryExecutedIds = (): ExecutedIds => {
  const ids = new Set<string>();
  return { has: (id) => ids.has(id), add: (id) => void ids.add(id) };
};

/** Loads `<stateDir>/executed-ids`, keeping the newest `maxIds` (default 50,000). */
export const loadExecutedIds = (stateDir: string, maxIds = 50_000): ExecutedIds => {
  const file = join(stateDir, "executed-ids");
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  let lines: string[] = [];
  try {
    lines = readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => /^[A-Za-z0-9_-]{1,200}$/.test(l));
  } catch {
    // First start: no file yet.
  }
  if (lines.length > maxIds) {
    lines = lines.slice(-maxIds);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${lines.join("\n")}\n`, { mode: 0o600 });
    renameSync(temp, file);
  }
  const ids = new Set(lines);
  return {
    has: (id) => ids.has(id),
    add(id) {
      if (ids.has(id)) return;
      ids.add(id);
      appendFileSync(file, `${id}\n`, { mode: 0o600 });
    },
  };
};
