/** `assay workflow apply | list | get`. */
import type { Command } from "commander";
import { type CliIo, colors, unwrap } from "../io.ts";
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

  withApi(
    workflow
      .command("apply")
      .description("create or update a workflow from a file")
      .requiredOption("-f, --file <file>", "TestWorkflow YAML or JSON"),
    io,
    async ({ client, options }: ApiCommandContext<{ file: string }>) => {
      const file = options.file;
      const text = await readDocumentFile(file);
      // Loaded here: the schema is the CLI's heaviest import and only apply needs it.
      const { parseWorkflowText } = await import("@assay/shared/workflow");
      const parsed = parseWorkflowText(text);
      if (!parsed.ok) throw documentIssues(file, parsed.issues);
      const name = parsed.workflow.metadata.name;
      const result = unwrap(
        await client.applyWorkflow(name, text, documentContentType(file)),
        `workflow "${name}"`,
      );
      const c = colors(io);
      for (const warning of [...parsed.warnings, ...result.warnings])
        io.stderr.write(`${c.yellow("warning:")} ${warning}\n`);
      io.stdout.write(`workflow ${name} applied\n`);
    },
  );

  withApi(
    withLabelFilter(workflow.command("list").description("list workflows"), "workflows"),
    io,
    async ({ client, json, options }: ApiCommandContext<{ label: string[] }>) => {
      const { items } = unwrap(await client.listWorkflows(options.label), "the workflow list");
      writeDocumentList(io, items, { json, none: "no workflows" });
    },
  );

  withApi(
    workflow.command("get").description("print a workflow's source").argument("<name>"),
    io,
    async ({ client, json, args }) => {
      const name = args[0] as string;
      await writeDocumentSource(io, unwrap(await client.getWorkflow(name), `workflow "${name}"`), json);
    },
  );
};
