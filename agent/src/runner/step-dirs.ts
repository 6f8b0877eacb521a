/**
 * The directories a step gets before it runs (its empty outputs directory, its results
 * directory), made in as few file-system round trips as the usual case allows. They lie in the
 * execution's workspace on the agent's own disk and are nearly always as the step before left
 * them (the outputs directory there and empty, a results directory not yet made, its parent
 * there), so synchronous calls (a few microseconds to tens of microseconds each) check and make
 * them instead of a chain of thread-pool requests: each of those is a wake-up of a pool thread
 * and then of the event loop, and on a busy host the wait for a pool thread to be scheduled
 * was longer than the call itself (over 1 ms for a `mkdir` of ~0.1 ms, at load 9 on two
 * cores). A new directory is one metadata change like the `chmod` beside it. Anything unusual
 * (the outputs directory holds files, is not a directory, belongs to another user, cannot be
 * read; a parent missing; something else in the way) takes the general path: removed and made
 * anew, or made with its parents, asynchronously.
 */
import { chmodSync, type Dirent, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";

/** True for an empty directory of ours, false for anything else, undefined when nothing is there. */
const isOurEmptyDir = (dir: string): boolean | undefined => {
  const found = lstatSync(dir, { throwIfNoEntry: false });
  if (found === undefined) return undefined;
  return found.isDirectory() && found.uid === process.getuid?.() && readdirSync(dir).length === 0;
};

/** True when `dir` is a directory (not a link to one); false when it is not or cannot be seen. */
const isDir = (dir: string): boolean => {
  try {
    return lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // mkdir then says what is wrong.
  }
};

/** Makes `dir`: at once when its parent is there, else (or when anything is in the way) with its parents. */
const makeDir = async (dir: string): Promise<void> => {
  try {
    mkdirSync(dir);
    return;
  } catch {
    // A parent is missing, or something is there: the general call makes the parents or says what is wrong.
  }
  await mkdir(dir, { recursive: true });
};

/** Makes `dir` an empty directory with `mode` (a fresh one when it held anything). */
export const emptyDir = async (dir: string, mode: number): Promise<void> => {
  let empty: boolean | undefined = false;
  try {
    empty = isOurEmptyDir(dir);
  } catch {
    // Unreadable: the general path below removes it.
  }
  if (empty === true) return chmodSync(dir, mode);
  if (empty === false) await rm(dir, { recursive: true, force: true });
  await makeDir(dir);
  chmodSync(dir, mode);
};

/** Makes `dir` (and its parents) with `mode` when missing; one that is there is left as it is. */
export const presentDir = async (dir: string, mode: number): Promise<void> => {
  if (isDir(dir)) return;
  await makeDir(dir);
  chmodSync(dir, mode);
};

/** Makes `dir` (and its parents) when missing, and gives it `mode`. */
export const ensureDir = async (dir: string, mode: number): Promise<void> => {
  if (!isDir(dir)) await makeDir(dir);
  chmodSync(dir, mode);
};

/** The entries of `dir` (none when it is missing or unreadable), read without a thread-pool trip. */
export const listDir = (dir: string): Dirent[] => {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
};
