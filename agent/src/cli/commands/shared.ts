/**
 * Wiring shared by the commands that call the HTTP API: the `--url/--token/--org/--env` and
 * `-o` options on each (so they can follow the command, as in `assay run smoke --env staging`),
 * target resolution and the client.
 */
import type { Command } from "commander";
import { type ApiClient, createApiClient } from "../api-client.ts";
import { CliError, type CliIo } from "../io.ts";

export interface ApiCommandContext<O = Record<string, unknown>> {
  client: ApiClient;
  options: O & { output: string };
  json: boolean;
  args: string[];
}

/** Adds the API options to `command` and runs `action` with a ready client. */
export const withApi = <O>(
  command: Command,
  io: CliIo,
  action: (context: ApiCommandContext<O>) => Promise<void>,
): Command =>
  command
    .option("--url <url>", "API URL (env ASSAY_URL)")
    .option("--token <token>", "API token (env ASSAY_TOKEN)")
    .option("--org <org>", "organization (env ASSAY_ORG)")
    .option("--env <env>", "environment (env ASSAY_ENV)")
    .option("-o, --output <format>", "output format: text or json", "text")
    .action(async (...received: unknown[]) => {
      const cmd = received.at(-1) as Command;
      const options = cmd.opts() as O & {
        output: string;
        url?: string;
        token?: string;
        org?: string;
        env?: string;
      };
      if (options.output !== "text" && options.output !== "json") {
        throw new CliError(`-o must be "text" or "json" (got "${options.output}")`);
      }
      const { resolveApiTarget } = await import("../context.ts");
      const target = resolveApiTarget(options, io.env, io.cwd);
      if (!target.ok) throw new CliError(target.message);
      await action({
        client: createApiClient(target.value),
        options,
        json: options.output === "json",
        args: cmd.args,
      });
    });
