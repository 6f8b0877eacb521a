/**
 * `assay credential set | list | delete`: credentials of the environment (default) or, with
 * `--org`-wide scope, of the organization. A value is read from stdin or `--from-file`, never
 * from the command line, where shell history and `ps` would keep it.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { CredentialScope } from "../api-client.ts";
import { CliError, type CliIo, unwrap } from "../io.ts";
import { actionOf, listOf } from "../output.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

interface ScopeOptions {
  orgWide?: boolean;
}

const scopeOf = (options: ScopeOptions): CredentialScope => (options.orgWide ? "org" : "env");
const withScope = (command: Command) =>
  command.option("--org-wide", "the organization's credential instead of the environment's");

/** The value from `file`, or from stdin (a trailing newline, as `echo` adds, is dropped). */
async function readValue(io: CliIo, file: string | undefined): Promise<string> {
  let text: string;
  if (file !== undefined) {
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new CliError(`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else {
    if (io.stdin === undefined || io.stdin.isTTY)
      throw new CliError(
        "pipe the value on stdin or name a file with --from-file (values never go on the command line)",
      );
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
    text = Buffer.concat(chunks).toString("utf8");
  }
  return text.replace(/\r?\n$/, "");
}

export const registerCredentialCommands = (program: Command, io: CliIo): void => {
  const credential = program
    .command("credential")
    .alias("credentials")
    .description("manage credentials used by runs (secrets are masked in logs)");

  withApi(
    withScope(
      credential
        .command("set")
        .description("create a credential or rotate its value (admin); the value comes from stdin")
        .argument("<name>", "e.g. api-token, or db.password for a Kubernetes secret db's key password")
        .option("--from-file <file>", "read the value from a file instead of stdin")
        .option("--variable", "a readable variable rather than a masked secret"),
    ),
    io,
    async ({
      client,
      args,
      structured,
      emit,
      options,
    }: ApiCommandContext<ScopeOptions & { fromFile?: string; variable?: boolean }>) => {
      const name = args[0] as string;
      const value = await readValue(io, options.fromFile);
      const kind = options.variable ? "variable" : "secret";
      const view = unwrap(
        await client.putCredential(scopeOf(options), name, { value, kind }),
        `credential "${name}"`,
      );
      if (structured) emit(view);
      else io.stdout.write(`${view.kind} ${view.name} set (${view.scope}, version ${view.version})\n`);
    },
  );

  withApi(
    withScope(credential.command("list").description("list credential names and metadata")),
    io,
    async ({ client, structured, emit, options }: ApiCommandContext<ScopeOptions>) => {
      const { items } = unwrap(await client.listCredentials(scopeOf(options)), "the credential list");
      if (structured) return emit(listOf(items));
      if (items.length === 0) return void io.stdout.write("no credentials\n");
      for (const item of items) {
        const shown = item.value === undefined ? "" : `  = ${item.value}`;
        io.stdout.write(
          `${item.name}  ${item.kind}  v${item.version}  ${item.updatedAt}  ${item.updatedBy}${shown}\n`,
        );
      }
    },
  );

  withApi(
    withScope(credential.command("delete").description("delete a credential (admin)").argument("<name>")),
    io,
    async ({ client, args, options, structured, emit }: ApiCommandContext<ScopeOptions>) => {
      const name = args[0] as string;
      unwrap(await client.deleteCredential(scopeOf(options), name), `credential "${name}"`);
      if (structured) return emit(actionOf("credential", name, "deleted"));
      io.stdout.write(`credential ${name} deleted\n`);
    },
  );
};
