/**
 * `assay login` checks an API token against the control plane (`GET /v1/me`) and stores the URL,
 * token, organization and environment for later commands; `assay logout` forgets them.
 * Flags and ASSAY_* variables still win over the stored values.
 */
import type { Command } from "commander";
import * as z from "zod";
import { ConnectError, readBody, send } from "../http.ts";
import { CliError, type CliIo } from "../io.ts";
import { removeUserConfig, writeUserConfig } from "../user-config.ts";

const Me = z.object({
  kind: z.string(),
  token: z.object({ orgId: z.string(), role: z.string() }).optional(),
  orgs: z.array(z.object({ id: z.string() })).default([]),
});

interface LoginOptions {
  url?: string;
  token?: string;
  org?: string;
  env?: string;
}

export const registerLoginCommands = (program: Command, io: CliIo): void => {
  program
    .command("login")
    .description("check an API token and remember it (with the URL, organization and environment)")
    .option("--url <url>", "API URL (env ASSAY_URL)")
    .option("--token <token>", "API token, asy_api_... (env ASSAY_TOKEN)")
    .option("--org <org>", "organization (default: the token's)")
    .option("--env <env>", "default environment for later commands")
    .action(async (options: LoginOptions) => {
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
      let status = 0;
      let body: Buffer;
      try {
        const response = await send({
          method: "GET",
          url: parsedUrl,
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
        });
        status = response.statusCode ?? 0;
        body = await readBody(response);
      } catch (error) {
        throw new CliError(
          error instanceof ConnectError ? error.message : `cannot reach ${url}: ${String(error)}`,
        );
      }
      if (status === 401) throw new CliError("the token was refused (unknown, expired or revoked)");
      if (status !== 200) throw new CliError(`${url} answered ${status}: is it an Assay API?`);
      const me = Me.safeParse(JSON.parse(body.toString() || "{}"));
      if (!me.success) throw new CliError(`${url} did not answer like an Assay API`);
      const org = options.org ?? me.data.token?.orgId ?? me.data.orgs[0]?.id;
      if (!org) throw new CliError("the token reaches no organization: pass --org");
      if (!me.data.orgs.some((o) => o.id === org))
        throw new CliError(`the token cannot reach organization ${org}`);
      const path = writeUserConfig(io.env, {
        apiUrl: url,
        token,
        org,
        ...(options.env ? { env: options.env } : {}),
      });
      io.stdout.write(
        `logged in to ${url} as ${me.data.token ? `an API token (${me.data.token.role})` : "a user"} of ${org}; saved to ${path}\n`,
      );
      if (!options.env)
        io.stdout.write("no default environment: pass --env to commands, or run assay login --env ENV\n");
    });

  program
    .command("logout")
    .description("forget the URL and token stored by assay login")
    .action(() => {
      io.stdout.write(removeUserConfig(io.env) ? "logged out\n" : "not logged in\n");
    });
};
