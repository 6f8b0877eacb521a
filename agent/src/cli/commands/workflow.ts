/** `assay workflow apply | plan | delete | list | get`. */
import type { WorkflowCheckView } from "@assay/shared";
import type { Command } from "commander";
import { type CliIo, colors, unwrap } from "../io.ts";
import { actionOf } from "../output.ts";
import {
  documentContentType,
  documentIssues,
  readDocumentFile,
  withLabelFilter,
  writeDocumentList,
  writeDocumentSource,
} from "./documents.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

export const registerWorkflowCommands = (program: Command, io: CliIo): void => {
  const workflow = program.command("workflow").description("manage test workflows");

  const applyFile = async (
    { client, options, structured, emit }: ApiCommandContext<{ file: string; dryRun?: boolean }>,
    dryRun: boolean,
  ) => {
    const file = options.file;
    const text = await readDocumentFile(file);
    // Loaded here: the schema is the CLI's heaviest import and only apply needs it.
    const { parseWorkflowText, formatCheck } = await import("@assay/shared/workflow");
    const parsed = parseWorkflowText(text);
    if (!parsed.ok) throw documentIssues(file, parsed.issues);
    const name = parsed.workflow.metadata.name;
    const result = unwrap(
      await client.applyWorkflow(name, text, documentContentType(file), { dryRun }),
      `workflow "${name}"`,
    );
    if (structured) return emit(result);
    const c = colors(io);
    // The server read the same text with the same parser: its warnings are the document's.
    for (const warning of result.warnings) io.stderr.write(`${c.yellow("warning:")} ${warning}\n`);
    writeCheck(io, result.check, dryRun, formatCheck);
    io.stdout.write(dryRun ? `workflow ${name} checked (not applied)\n` : `workflow ${name} applied\n`);
  };

  withApi(
    workflow
      .command("apply")
      .description(
        "create or update a workflow from a file; prints what the environment's runtimes would refuse",
      )
      .requiredOption("-f, --file <file>", "TestWorkflow YAML or JSON")
      .option("--dry-run", "check only: print the step tree and what will not run where, store nothing"),
    io,
    (context: ApiCommandContext<{ file: string; dryRun?: boolean }>) =>
      applyFile(context, context.options.dryRun === true),
  );

  withApi(
    workflow
      .command("plan")
      .description("print a workflow file's step tree and what will not run on the environment's runtimes")
      .requiredOption("-f, --file <file>", "TestWorkflow YAML or JSON"),
    io,
    (context: ApiCommandContext<{ file: string }>) => applyFile(context, true),
  );

  withApi(
    workflow
      .command("delete")
      .description("delete a workflow and its schedules (its executions stay readable)")
      .argument("<name>"),
    io,
    async ({ client, args, structured, emit }) => {
      const name = args[0] as string;
      unwrap(await client.deleteWorkflow(name), `workflow "${name}"`);
      if (structured) return emit(actionOf("workflow", name, "deleted"));
      io.stdout.write(`workflow ${name} deleted\n`);
    },
  );

  withApi(
    withLabelFilter(workflow.command("list").description("list workflows"), "workflows"),
    io,
    async ({ client, structured, emit, options }: ApiCommandContext<{ label: string[] }>) => {
      const { items } = unwrap(await client.listWorkflows(options.label), "the workflow list");
      writeDocumentList(io, items, { emit: structured ? emit : undefined, none: "no workflows" });
    },
  );

  withApi(
    workflow.command("get").description("print a workflow's source").argument("<name>"),
    io,
    async ({ client, structured, emit, args }) => {
      const name = args[0] as string;
      const view = unwrap(await client.getWorkflow(name), `workflow "${name}"`);
      await writeDocumentSource(io, view, structured ? emit : undefined);
    },
  );
};

/**
 * Refusals go to stderr in yellow on apply (the workflow is stored: runs on those runtimes will
 * fail); the whole check, step tree included, goes to stdout on a dry run or `plan`.
 */
const writeCheck = (
  io: CliIo,
  check: WorkflowCheckView,
  full: boolean,
  formatCheck: (check: WorkflowCheckView) => string[],
): void => {
  if (full) return void io.stdout.write(`${formatCheck(check).join("\n")}\n`);
  const c = colors(io);
  const refusing: string[] = [];
  for (const runtime of check.runtimes) {
    for (const r of runtime.refusals)
      io.stderr.write(`${c.yellow("refused:")} ${runtime.runtime} runtime: ${r.path}: ${r.message}\n`);
    for (const w of runtime.warnings)
      io.stderr.write(`${c.yellow("warning:")} ${runtime.runtime} runtime: ${w}\n`);
    if (runtime.refusals.length > 0) refusing.push(runtime.runtime);
  }
  if (refusing.length > 0)
    io.stderr.write(
      `${c.yellow("note:")} the workflow is stored, but its runs fail on agents with the ${refusing.join(" or ")} runtime until the refusals above are fixed\n`,
    );
};
