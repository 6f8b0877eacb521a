/**
 * Which control plane and as whom: `--url/--token/--org/--env`, else `ASSAY_URL`, `ASSAY_TOKEN`,
 * `ASSAY_ORG`, `ASSAY_ENV`, else what `assay login` stored (user-config.ts), else local mode's
 * `local.json` (written by `npm start`), looked up at
 * `$ASSAY_DATA_DIR/local.json`, then `.assay/local.json` in the working directory and its parents.
 * Each value is taken from the first place that has it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as z from "zod";
import type { ApiTarget } from "./api-client.ts";
import { readUserConfig, type UserConfig, userConfigPath } from "./user-config.ts";

/** The file local mode writes for the CLI and the local agent. */
export const LocalConfig = z.object({
  apiUrl: z.string(),
  ingressUrl: z.string().optional(),
  orgId: z.string(),
  envId: z.string(),
  apiToken: z.string(),
  caFile: z.string().optional(),
});
export type LocalConfig = z.infer<typeof LocalConfig>;

export interface GlobalFlags {
  url?: string | undefined;
  token?: string | undefined;
  org?: string | undefined;
  env?: string | undefined;
}

/** Finds local.json; returns its path or undefined. */
export const findLocalConfig = (env: NodeJS.ProcessEnv, cwd: string): string | undefined => {
  if (env.ASSAY_DATA_DIR) {
    const file = join(env.ASSAY_DATA_DIR, "local.json");
    if (existsSync(file)) return file;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, ".assay", "local.json");
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
};

export type TargetResult = { ok: true; value: ApiTarget; source: string } | { ok: false; message: string };

/** Resolves the API target; the message says what is missing and how to provide it. */
export const resolveApiTarget = (flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string): TargetResult => {
  let local: LocalConfig | undefined;
  let localFile: string | undefined;
  const explicit = {
    apiUrl: flags.url ?? env.ASSAY_URL,
    token: flags.token ?? env.ASSAY_TOKEN,
    org: flags.org ?? env.ASSAY_ORG,
    env: flags.env ?? env.ASSAY_ENV,
  };
  let login: UserConfig | undefined;
  if (Object.values(explicit).some((v) => v === undefined || v === "")) {
    const stored = readUserConfig(env);
    if (stored.error) return { ok: false, message: stored.error };
    login = stored.config;
  }
  const afterLogin = {
    apiUrl: explicit.apiUrl || login?.apiUrl,
    token: explicit.token || login?.token,
    org: explicit.org || login?.org,
    env: explicit.env || login?.env,
  };
  if (Object.values(afterLogin).some((v) => v === undefined || v === "")) {
    localFile = findLocalConfig(env, cwd);
    if (localFile !== undefined) {
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(localFile, "utf8"));
      } catch (error) {
        return { ok: false, message: `${localFile} is not valid JSON: ${(error as Error).message}` };
      }
      const parsed = LocalConfig.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return {
          ok: false,
          message: `${localFile}: ${issue?.path.join(".") || "file"}: ${issue?.message ?? "invalid"}`,
        };
      }
      local = parsed.data;
    }
  }
  const value = {
    apiUrl: afterLogin.apiUrl || local?.apiUrl,
    token: afterLogin.token || local?.apiToken,
    org: afterLogin.org || local?.orgId,
    env: afterLogin.env || local?.envId,
  };
  const missing = [
    value.apiUrl ? undefined : "--url (or ASSAY_URL)",
    value.token ? undefined : "--token (or ASSAY_TOKEN)",
    value.org ? undefined : "--org (or ASSAY_ORG)",
    value.env ? undefined : "--env (or ASSAY_ENV)",
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    return {
      ok: false,
      message: `missing ${missing.join(", ")}; or run assay login, or start the local control plane (npm start), which writes .assay/local.json`,
    };
  }
  let ca: Buffer | undefined;
  if (local?.caFile !== undefined && localFile !== undefined && value.apiUrl === local.apiUrl) {
    const caPath = resolve(dirname(localFile), local.caFile);
    if (existsSync(caPath)) ca = readFileSync(caPath);
  }
  return {
    ok: true,
    value: {
      apiUrl: value.apiUrl as string,
      token: value.token as string,
      org: value.org as string,
      env: value.env as string,
      ca,
    },
    source: localFile ?? (login ? userConfigPath(env) : "flags and environment"),
  };
};
