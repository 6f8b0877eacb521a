/**
 * Wiring shared by the commands that call the HTTP API: the `--url/--token/--org/--env` and
 * `-o` options on each (so they can follow the command, as in `assay run smoke --env staging`),
 * target resolution and the client.
 */
import type { Command } from "commander";
import { type ApiClient, createApiClient } from "../api-client.ts";
import { CliError, type CliIo } from "../io.ts";
import { type OutputFormat, parseOutputFormat, writeData } from "../output.ts";

export interface ApiCommandContext<O = Record<string, unknown>> {
  client: ApiClient;
  options: O & { output: string };
  /** `-o`: text (for people, the default), json or yaml. */
  output: OutputFormat;
  /** True with `-o json` or `-o yaml`: print the result with `emit`, nothing else on stdout. */
  structured: boolean;
  /** Prints `value` in the chosen machine-readable format (output.ts has the shapes). */
  emit(value: unknown): void;
  args: string[];
}

/** The `-o` option, for commands that do not call the API through `withApi`. */
export const outputOption = (command: Command): Command =>
  command.option("-o, --output <format>", "output format: text, json or yaml", "text");

/** What `-o` asks for, checked; and how to print structured data in it. */
export const outputOf = (io: CliIo, value: string) => {
  const output = parseOutputFormat(value);
  return {
    output,
    structured: output !== "text",
    emit: (data: unknown) => writeData(io, output === "yaml" ? "yaml" : "json", data),
  };
};

/** Adds the API options to `command` and runs `action` with a ready client. */
export const withApi = <O>(
  command: Command,
  io: CliIo,
  action: (context: ApiCommandContext<O>) => Promise<void>,
): Command =>
  outputOption(
    command
      .option("--url <url>", "API URL (env ASSAY_URL)")
      .option("--token <token>", "API token (env ASSAY_TOKEN)")
      .option("--org <org>", "organization (env ASSAY_ORG)")
      .option("--env <env>", "environment (env ASSAY_ENV)"),
  ).action(async (...received: unknown[]) => {
    const cmd = received.at(-1) as Command;
    const options = cmd.opts() as O & {
      output: string;
      url?: string;
      token?: string;
      org?: string;
      env?: string;
    };
    const output = outputOf(io, options.output);
    const { resolveApiTarget } = await import("../context.ts");
    const target = resolveApiTarget(options, io.env, io.cwd);
    if (!target.ok) throw new CliError(target.message);
    await action({
      client: createApiClient(target.value),
      options,
      ...output,
      args: cmd.args,
    });
  });
