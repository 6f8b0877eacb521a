/**
 * `content.git` and `content.tarball`, fetched into the execution's workspace before the steps
 * of their scope run. Targets use Testkube's `/data` convention (`/data/repo` by default) mapped
 * onto the workspace; anything outside the workspace is refused, so concurrent executions never
 * share a host path.
 *
 * Git uses the system `git`: init, add the remote, optional sparse checkout, a shallow fetch of
 * the revision (a full fetch when the server refuses a shallow fetch of a commit id), checkout.
 * Credentials never appear on a command line (other users can read those): a token travels as
 * an `http.extraHeader` through GIT_CONFIG_* environment variables, an SSH key as a 0600 file in
 * a private temp directory named by GIT_SSH_COMMAND, removed afterwards. GIT_TERMINAL_PROMPT=0
 * makes a missing credential fail instead of hanging.
 *
 * Tarballs are streamed through node-tar with strict filtering: no absolute paths or `..`
 * (node-tar's default), no links or devices, and limits on entries and unpacked bytes.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PlannedGit, PlannedTarball } from "@assay/shared/workflow";
import type { RunnerFile } from "./types.ts";
import { resolveWorkingDir, writeContentFiles } from "./workspace.ts";

/** Where fetch output goes and what it may use. */
export interface FetchOptions {
  workspace: string;
  /** One line of progress or error output (masked by the caller). */
  log(text: string): void;
  /** The agent's environment (PATH, HOME, proxies). */
  env: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** Unpacking limits of a tarball. */
export const TARBALL_LIMITS = { maxEntries: 100_000, maxBytes: 4 * 1024 * 1024 * 1024 };

const inWorkspace = (workspace: string, path: string): string | undefined => {
  const target = resolveWorkingDir(workspace, path);
  return target === workspace || target.startsWith(`${workspace}/`) ? target : undefined;
};

const run = (args: string[], cwd: string, env: Record<string, string>, options: FetchOptions) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn("git", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], signal: options.signal });
    let output = "";
    const take = (data: Buffer) => {
      output += data.toString();
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.once("error", (error) => resolve({ code: -1, output: error.message }));
    child.once("close", (code) => resolve({ code: code ?? -1, output }));
  });

/** Clones `git` into the workspace; returns an error message or undefined. */
export const fetchGit = async (git: PlannedGit, options: FetchOptions): Promise<string | undefined> => {
  const target = inWorkspace(options.workspace, git.mountPath);
  if (target === undefined) {
    return `content.git mountPath "${git.mountPath}" is outside the execution workspace (use /data/...)`;
  }
  await mkdir(target, { recursive: true });
  const env: Record<string, string> = { ...options.env, GIT_TERMINAL_PROMPT: "0" };
  let keyDir: string | undefined;
  const config: [string, string][] = [];
  if (git.token !== undefined && git.token !== "") {
    const header =
      git.authType === "header"
        ? `Authorization: Bearer ${git.token}`
        : `Authorization: Basic ${Buffer.from(`${git.username ?? "git"}:${git.token}`).toString("base64")}`;
    config.push(["http.extraHeader", header]);
  }
  if (git.sshKey !== undefined && git.sshKey !== "") {
    keyDir = await mkdtemp(join(tmpdir(), "assay-git-"));
    const keyFile = join(keyDir, "key");
    await writeFile(keyFile, git.sshKey.endsWith("\n") ? git.sshKey : `${git.sshKey}\n`, { mode: 0o600 });
    env.GIT_SSH_COMMAND = `ssh -i ${keyFile} -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new`;
  }
  env.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  const revision = git.revision ?? "";
  options.log(
    `[assay] git: checking out ${git.uri}${revision ? ` at ${revision}` : ""} into ${git.mountPath}`,
  );
  try {
    const step = async (args: string[]): Promise<boolean> => {
      const result = await run(args, target, env, options);
      if (result.code === 0) return true;
      for (const line of result.output.trim().split("\n")) if (line) options.log(`[assay] git: ${line}`);
      return false;
    };
    if (!(await step(["init", "--quiet"]))) return "git init failed";
    if (!(await step(["remote", "add", "origin", git.uri]))) return "git remote add failed";
    if (git.paths !== undefined && git.paths.length > 0) {
      const mode = git.cone === false ? "--no-cone" : "--cone";
      if (!(await step(["sparse-checkout", "set", mode, ...git.paths]))) return "git sparse-checkout failed";
    }
    const ref = revision || "HEAD";
    const shallow = await run(["fetch", "--quiet", "--depth", "1", "origin", ref], target, env, options);
    if (shallow.code !== 0) {
      // Some servers refuse a shallow fetch of a commit id: fetch everything and pick it.
      if (!(await step(["fetch", "--quiet", "origin"]))) return `git fetch of ${git.uri} failed`;
      if (!(await step(["checkout", "--quiet", "--detach", ref]))) return `revision "${ref}" not found`;
    } else if (!(await step(["checkout", "--quiet", "--detach", "FETCH_HEAD"]))) {
      return "git checkout failed";
    }
    const head = await run(["rev-parse", "HEAD"], target, env, options);
    options.log(`[assay] git: at ${head.output.trim()}`);
    return undefined;
  } finally {
    if (keyDir !== undefined) await rm(keyDir, { recursive: true, force: true });
  }
};

/** Downloads and unpacks `tarball` into the workspace; returns an error message or undefined. */
export const fetchTarball = async (
  tarball: PlannedTarball,
  options: FetchOptions,
  limits = TARBALL_LIMITS,
): Promise<string | undefined> => {
  const target = inWorkspace(options.workspace, tarball.path);
  if (target === undefined) {
    return `content.tarball path "${tarball.path}" is outside the execution workspace (use /data/...)`;
  }
  await mkdir(target, { recursive: true });
  options.log(`[assay] tarball: ${tarball.url} -> ${tarball.path}`);
  const { x } = await import("tar");
  let response: Response;
  try {
    response = await fetch(tarball.url, { signal: options.signal });
  } catch (error) {
    return `cannot download ${tarball.url}: ${(error as Error).message}`;
  }
  if (!response.ok || response.body === null)
    return `cannot download ${tarball.url}: HTTP ${response.status}`;
  let entries = 0;
  let bytes = 0;
  let refused: string | undefined;
  const extract = x({
    cwd: target,
    strict: true,
    filter: (path, entry) => {
      const type = "type" in entry ? entry.type : "File";
      if (type !== "File" && type !== "Directory" && type !== "OldFile" && type !== "ContiguousFile") {
        refused ??= `${path}: ${type} entries are not unpacked`;
        return false;
      }
      entries++;
      bytes += "size" in entry ? entry.size : 0;
      if (entries > limits.maxEntries || bytes > limits.maxBytes) {
        refused = `the tarball exceeds the limits (${limits.maxEntries} entries, ${limits.maxBytes} bytes)`;
        extract.abort(new Error(refused));
        return false;
      }
      return true;
    },
    onwarn: (_code, message) => options.log(`[assay] tarball: ${message}`),
  });
  try {
    await pipeline(Readable.fromWeb(response.body as never), extract);
  } catch (error) {
    return `cannot unpack ${tarball.url}: ${refused ?? (error as Error).message}`;
  }
  if (refused !== undefined) options.log(`[assay] tarball: skipped ${refused}`);
  return undefined;
};

/** What a step (or the plan) brings along: `content.files`, `git` and `tarball`. */
export interface ContentSource {
  files?: RunnerFile[] | undefined;
  git?: PlannedGit | undefined;
  tarballs?: PlannedTarball[] | undefined;
}

/** Writes and fetches a step's content; an error message for the first part that failed. */
export const fetchStepContent = async (
  source: ContentSource,
  workingDir: string | undefined,
  options: {
    workspace: string;
    env: Record<string, string>;
    log(text: string): void;
    /** Stops a clone or download under way (the run ended: aborted, timed out). */
    signal?: AbortSignal | undefined;
  },
): Promise<string | undefined> => {
  const { workspace } = options;
  if (source.files !== undefined && source.files.length > 0) {
    const refused = await writeContentFiles(
      workspace,
      resolveWorkingDir(workspace, workingDir),
      source.files,
    );
    if (refused !== undefined) return refused;
  }
  if (source.git !== undefined) {
    const error = await fetchGit(source.git, options);
    if (error !== undefined) return `content.git: ${error}`;
  }
  for (const tarball of source.tarballs ?? []) {
    const error = await fetchTarball(tarball, options);
    if (error !== undefined) return `content.tarball: ${error}`;
  }
  return undefined;
};
