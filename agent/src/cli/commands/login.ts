/**
 * `assay login` checks an API token against the control plane (`GET /v1/me`) and stores the URL,
 * token, organization and environment for later commands; `assay logout` forgets them.
 * Flags and ASSAY_* variables still win over the stored values.
 */
import type { Command } from "commander";
import * as z from "zod";
import { ConnectError, readBody, send } from "../http.ts";
import { CliError, type CliIo } from "../io.ts";
import { actionOf } from "../output.ts";
import { removeUserConfig, writeUserConfig } from "../user-config.ts";
import { outputOf, outputOption } from "./shared.ts";

const Me = z.object({
  kind: z.string(),
  token: z.object({ orgId: z.string(), role: z.string() }).optional(),
  orgs: z.array(z.object({ id: z.string() })).default([]),
});

const Envs = z.object({ items: z.array(z.object({ id: z.string() })) });

interface LoginOptions {
  url?: string;
  token?: string;
  org?: string;
  env?: string;
  output: string;
}

/** GET `url` with the token: the status and the parsed JSON body (or undefined). */
const getJson = async (url: URL, token: string): Promise<{ status: number; body: unknown }> => {
  let status = 0;
  let text: string;
  try {
    const response = await send({
      method: "GET",
      url,
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    status = response.statusCode ?? 0;
    text = (await readBody(response)).toString();
  } catch (error) {
    throw new CliError(
      error instanceof ConnectError ? error.message : `cannot reach ${url.origin}: ${String(error)}`,
    );
  }
  try {
    return { status, body: JSON.parse(text || "{}") };
  } catch {
    return { status, body: undefined };
  }
};

export const registerLoginCommands = (program: Command, io: CliIo): void => {
  outputOption(
    program
      .command("login")
      .description("check an API token and remember it (with the URL, organization and environment)")
      .option("--url <url>", "API URL (env ASSAY_URL)")
      .option("--token <token>", "API token, asy_api_... (env ASSAY_TOKEN)")
      .option("--org <org>", "organization (default: the token's)")
      .option("--env <env>", "default environment for later commands (default: the only one, if just one)"),
  ).action(async (options: LoginOptions) => {
    const { structured, emit } = outputOf(io, options.output);
    const url = (options.url ?? io.env.ASSAY_URL)?.replace(/\/+$/, "");
    const token = options.token ?? io.env.ASSAY_TOKEN;
    if (!url || !token)
      throw new CliError("assay login needs --url and --token (or ASSAY_URL and ASSAY_TOKEN)");
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(`${url}/v1/me`);
    } catch {
      throw new CliError(`--url ${url} is not a URL`);
    }
    const { status, body } = await getJson(parsedUrl, token);
    if (status === 401) throw new CliError("the token was refused (unknown, expired or revoked)");
    if (status !== 200) throw new CliError(`${url} answered ${status}: is it an Assay API?`);
    const me = Me.safeParse(body);
    if (!me.success) throw new CliError(`${url} did not answer like an Assay API`);
    const org = options.org ?? me.data.token?.orgId ?? me.data.orgs[0]?.id;
    if (!org) throw new CliError("the token reaches no organization: pass --org");
    if (!me.data.orgs.some((o) => o.id === org))
      throw new CliError(`the token cannot reach organization ${org}`);
    const env = options.env ?? (await onlyEnvironment(url, token, org));
    const path = writeUserConfig(io.env, { apiUrl: url, token, org, ...(env ? { env } : {}) });
    const as = me.data.token ? `an API token (${me.data.token.role})` : "a user";
    if (structured) return emit({ apiUrl: url, org, ...(env ? { env } : {}), as, path });
    io.stdout.write(`logged in to ${url} as ${as} of ${org}; saved to ${path}\n`);
    if (env && !options.env) io.stdout.write(`environment: ${env} (the organization's only one)\n`);
    if (!env)
      io.stdout.write("no default environment: pass --env to commands, or run assay login --env ENV\n");
  });

  outputOption(
    program.command("logout").description("forget the URL and token stored by assay login"),
  ).action((options: { output: string }) => {
    const { structured, emit } = outputOf(io, options.output);
    const removed = removeUserConfig(io.env);
    if (structured) return emit(actionOf("login", "", removed ? "logged-out" : "not-logged-in"));
    io.stdout.write(removed ? "logged out\n" : "not logged in\n");
  });
};

/** The organization's environment when it has exactly one, else undefined (the user picks). */
async function onlyEnvironment(url: string, token: string, org: string): Promise<string | undefined> {
  const { status, body } = await getJson(new URL(`${url}/v1/orgs/${encodeURIComponent(org)}/envs`), token);
  if (status !== 200) return undefined;
  const envs = Envs.safeParse(body);
  return envs.success && envs.data.items.length === 1 ? envs.data.items[0]?.id : undefined;
}
