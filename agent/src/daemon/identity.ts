/**
 * The agent's stable identity: generated once and kept in the state directory, so the control
 * plane recognises the same installation across restarts (and can tell two agents sharing a
 * token apart).
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** `~/.assay/agent`, the default state directory. */
export const defaultStateDir = (): string => join(homedir(), ".assay", "agent");

/** Reads `agent-id` from `stateDir`, creating it (and the directory) the first time. */
export const loadAgentId = async (stateDir: string): Promise<string> => {
  const file = join(stateDir, "agent-id");
  const existing = await readFile(file, "utf8").catch(() => "");
  if (/^[A-Za-z0-9_-]{8,100}$/.test(existing.trim())) return existing.trim();
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const id = `agt_${randomUUID().replaceAll("-", "")}`;
  // Write-then-rename: a crash never leaves a half-written id behind.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${id}\n`, { mode: 0o600 });
  await rename(temp, file);
  return id;
};
