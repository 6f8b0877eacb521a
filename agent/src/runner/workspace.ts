/**
 * Execution workspaces. Each execution gets a fresh directory under the agent's work dir,
 * removed when it ends, so concurrent executions never share a host path. Testkube workflows
 * assume a shared volume at `/data`; the process runner maps `/data` and `/data/...` onto the
 * workspace in working directories and, where the path is a whole word, in commands.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { isDataPath, mapDataPath } from "@assay/shared/workflow/data-path";
import type { RunnerFile } from "./types.ts";

/** Creates `workRoot/<prefix>-XXXXXX` and returns its path. */
export const createWorkspace = async (workRoot: string, prefix: string): Promise<string> => {
  await mkdir(workRoot, { recursive: true });
  return mkdtemp(join(workRoot, `${prefix.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 40)}-`));
};

/** Removes a workspace; a failure to remove is not a test failure. */
export const removeWorkspace = async (path: string): Promise<void> => {
  await rm(path, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
};

/** Resolves a step's `workingDir` against the workspace: `/data/x` -> `<ws>/x`, `x` -> `<ws>/x`. */
export const resolveWorkingDir = (workspace: string, workingDir: string | undefined): string => {
  if (workingDir === undefined || workingDir === "") return workspace;
  // The shared mapping normalises first, so `/data/../etc` can never land inside the workspace.
  if (isDataPath(workingDir)) return mapDataPath(workingDir, workspace);
  return isAbsolute(workingDir) ? workingDir : resolve(workspace, workingDir);
};

// `/data` as a whole path word: at the start or after a separator (`,` too, for path lists such
// as `--spec a.js,b.js`), followed by `/` or an end.
const DATA_WORD = /(^|[\s"'=:(`,])\/data(?=$|[/\s"';:)`,])/g;

// `/testkube/outputs`, where a step writes its outputs (step-outputs.ts), as a whole path word.
const OUTPUTS_WORD = /(^|[\s"'=:(`,])\/testkube\/outputs(?=$|[/\s"';:)`,])/g;

/**
 * Maps `/data` path words in a command string onto the workspace, and `/testkube/outputs` ones
 * onto the unit's outputs directory (default: the workspace's `.testkube/outputs`).
 */
export const mapDataPaths = (text: string, workspace: string, outputsDir?: string): string =>
  text
    .replace(DATA_WORD, (_match, before: string) => `${before}${workspace}`)
    .replace(
      OUTPUTS_WORD,
      (_match, before: string) => `${before}${outputsDir ?? `${workspace}/.testkube/outputs`}`,
    );

/**
 * Writes `content.files` for a step whose working directory is `cwd`. Only paths inside the
 * workspace are written (relative ones, or under `/data`): concurrent executions must never
 * write to a shared host path. Returns an error message for the first refused path.
 */
export const writeContentFiles = async (
  workspace: string,
  cwd: string,
  files: readonly RunnerFile[],
): Promise<string | undefined> => {
  for (const file of files) {
    const target = isDataPath(file.path)
      ? mapDataPath(file.path, workspace)
      : isAbsolute(file.path)
        ? undefined
        : resolve(cwd, file.path);
    if (target === undefined || !(target === workspace || target.startsWith(`${workspace}/`))) {
      return `content.files path "${file.path}" is outside the execution workspace (use /data/... or a relative path)`;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode ?? 0o644 });
  }
  return undefined;
};
