/**
 * The `assay` command line: builds the commander program and maps every failure to a clean
 * message and an exit code (0 ok, 1 test failed, 2 errors and usage). No stack traces reach the
 * user; an unexpected error prints its message and exits 2.
 *
 * Each group of commands lives in its own module, imported only when needed: `assay agent`
 * never loads the user commands (their HTTP client, zod schemas, config files), which keeps a
 * long-running idle agent small. When the first argument names a command, only the module
 * that defines it is loaded; anything else (no command, `--help`, `help`, `--version`, a
 * mistyped command) loads them all, so help and suggestions list every command.
 */
import { Command, CommanderError } from "commander";
import { AGENT_VERSION } from "../version.ts";
import { CliError, CliExit, type CliIo, colors, EXIT } from "./io.ts";

type Register = (program: Command, io: CliIo) => void;

/** The command modules in help order, each with the top-level names (and aliases) it defines. */
const COMMAND_MODULES: { names: readonly string[]; load: () => Promise<Register> }[] = [
  { names: ["agent"], load: async () => (await import("./commands/agent.ts")).registerAgentCommand },
  {
    names: ["login", "logout"],
    load: async () => (await import("./commands/login.ts")).registerLoginCommands,
  },
  {
    names: ["workflow"],
    load: async () => (await import("./commands/workflow.ts")).registerWorkflowCommands,
  },
  {
    names: ["template"],
    load: async () => (await import("./commands/template.ts")).registerTemplateCommands,
  },
  {
    names: ["run", "rerun", "execution", "executions", "logs", "abort"],
    load: async () => (await import("./commands/executions.ts")).registerExecutionCommands,
  },
  {
    names: ["webhook", "webhooks"],
    load: async () => (await import("./commands/webhook.ts")).registerWebhookCommands,
  },
  {
    names: ["insights"],
    load: async () => (await import("./commands/insights.ts")).registerInsightsCommands,
  },
  {
    names: ["credential", "credentials"],
    load: async () => (await import("./commands/credential.ts")).registerCredentialCommands,
  },
  {
    names: ["artifacts"],
    load: async () => (await import("./commands/artifacts.ts")).registerArtifactCommands,
  },
];

/** The modules `args` needs: the one defining its command, or all of them. */
const modulesFor = (args: readonly string[]) => {
  const first = args[0];
  const one = first === undefined ? undefined : COMMAND_MODULES.find((m) => m.names.includes(first));
  return one === undefined ? COMMAND_MODULES : [one];
};

/** Builds the program with the commands `args` needs (exported for tests of argument parsing). */
export const createProgram = async (io: CliIo, args: readonly string[] = []): Promise<Command> => {
  const program = new Command("assay")
    .description("Assay: run test workflows on your own infrastructure")
    .version(AGENT_VERSION)
    .exitOverride()
    .showHelpAfterError("(run assay --help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const registers = await Promise.all(modulesFor(args).map((m) => m.load()));
  for (const register of registers) register(program, io);
  // Subcommands inherit the overrides so usage errors never call process.exit.
  const apply = (command: Command) => {
    command
      .exitOverride()
      .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) });
    for (const sub of command.commands) apply(sub);
  };
  for (const sub of program.commands) apply(sub);
  return program;
};

/** Runs `assay <args>` and returns the exit code. */
export const main = async (args: string[], io: CliIo): Promise<number> => {
  try {
    const program = await createProgram(io, args);
    await program.parseAsync(args, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof CommanderError) {
      // Help and version are exits with code 0; usage errors were already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    const message =
      error instanceof CliError ? error.message : `unexpected error: ${(error as Error).message}`;
    io.stderr.write(`${colors(io).red("error:")} ${message}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.error;
  }
};
