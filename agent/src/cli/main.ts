/**
 * The `assay` command line: builds the commander program and maps every failure to a clean
 * message and an exit code (0 ok, 1 test failed, 2 errors and usage). No stack traces reach the
 * user; an unexpected error prints its message and exits 2.
 */
import { Command, CommanderError } from "commander";
import { AGENT_VERSION } from "../version.ts";
import { registerAgentCommand } from "./commands/agent.ts";
import { registerArtifactCommands } from "./commands/artifacts.ts";
import { registerExecutionCommands } from "./commands/executions.ts";
import { registerLoginCommands } from "./commands/login.ts";
import { registerTemplateCommands } from "./commands/template.ts";
import { registerWorkflowCommands } from "./commands/workflow.ts";
import { CliError, CliExit, type CliIo, colors, EXIT } from "./io.ts";

/** Builds the program (exported for tests of argument parsing). */
export const createProgram = (io: CliIo): Command => {
  const program = new Command("assay")
    .description("Assay: run test workflows on your own infrastructure")
    .version(AGENT_VERSION)
    .exitOverride()
    .showHelpAfterError("(run assay --help for usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerAgentCommand(program, io);
  registerLoginCommands(program, io);
  registerWorkflowCommands(program, io);
  registerTemplateCommands(program, io);
  registerExecutionCommands(program, io);
  registerArtifactCommands(program, io);
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
  const program = createProgram(io);
  try {
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
