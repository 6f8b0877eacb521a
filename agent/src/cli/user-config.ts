/**
 * The user's CLI configuration written by `assay login`: the API URL, token, organization and
 * environment, in `$XDG_CONFIG_HOME/assay/config.json` (default `~/.config/assay/config.json`).
 * It holds a secret, so the file is created with mode 0600 in a 0700 directory, and rewritten
 * atomically so a crash never leaves half a file.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import * as z from "zod";

export const UserConfig = z.object({
  apiUrl: z.string().url(),
  token: z.string().min(1),
  org: z.string().min(1),
  env: z.string().min(1).optional(),
});
export type UserConfig = z.infer<typeof UserConfig>;

export const userConfigPath = (env: NodeJS.ProcessEnv): string =>
  join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "assay", "config.json");

/** The stored configuration; undefined when there is none, an error message when it is unreadable. */
export function readUserConfig(env: NodeJS.ProcessEnv): {
  config?: UserConfig;
  error?: string;
  path: string;
} {
  const path = userConfigPath(env);
  if (!existsSync(path)) return { path };
  try {
    const parsed = UserConfig.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (parsed.success) return { config: parsed.data, path };
    const issue = parsed.error.issues[0];
    return {
      path,
      error: `${path}: ${issue?.path.join(".") || "file"}: ${issue?.message} (run assay login again)`,
    };
  } catch (error) {
    return { path, error: `${path} is not valid JSON: ${(error as Error).message} (run assay login again)` };
  }
}

export function writeUserConfig(env: NodeJS.ProcessEnv, config: UserConfig): string {
  const path = userConfigPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return path;
}

/** Removes the stored configuration; true when there was one. */
export function removeUserConfig(env: NodeJS.ProcessEnv): boolean {
  const path = userConfigPath(env);
  if (!existsSync(path)) return false;
  rmSync(path);
  return true;
}
