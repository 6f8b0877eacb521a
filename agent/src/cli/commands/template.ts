/** `assay template apply | list | get | delete`: TestWorkflowTemplates of an environment. */
import type { Command } from "commander";
import { CliError, type CliIo, colors, unwrap } from "../io.ts";
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

/** Template names may be written with `/` as in Testkube (`official/k6`); stored with `--`. */
const storedName = (name: string) => name.replaceAll("/", "--");

export const registerTemplateCommands = (program: Command, io: CliIo): void => {
  const template = program
    .command("template")
    .description("manage workflow templates (TestWorkflowTemplate)");

  withApi(
    template
      .command("apply")
      .description("create or update a template from a file")
      .requiredOption("-f, --file <file>", "TestWorkflowTemplate YAML or JSON"),
    io,
    async ({ client, options, structured, emit }: ApiCommandContext<{ file: string }>) => {
      const file = options.file;
      const text = await readDocumentFile(file);
      const { parseWorkflowDocuments } = await import("@assay/shared/workflow");
      const docs = parseWorkflowDocuments(text);
      const doc = docs.find((d) => d.kind === "TestWorkflowTemplate") ?? docs[0];
      if (doc === undefined) throw new CliError(`${file}: the file holds no document`);
      if (!doc.ok) throw documentIssues(file, doc.issues);
      if (doc.document.kind !== "TestWorkflowTemplate") {
        throw new CliError(`${file}: expected a TestWorkflowTemplate, found ${doc.document.kind}`);
      }
      const name = doc.document.metadata.name;
      const result = unwrap(
        await client.applyTemplate(name, text, documentContentType(file)),
        `template "${name}"`,
      );
      if (structured) return emit(result);
      for (const warning of result.warnings) io.stderr.write(`${colors(io).yellow("warning:")} ${warning}\n`);
      io.stdout.write(`template ${name} applied\n`);
    },
  );

  withApi(
    withLabelFilter(template.command("list").description("list templates"), "templates"),
    io,
    async ({ client, structured, emit, options }: ApiCommandContext<{ label: string[] }>) => {
      const { items } = unwrap(await client.listTemplates(options.label), "the template list");
      writeDocumentList(io, items, { emit: structured ? emit : undefined, none: "no templates" });
    },
  );

  withApi(
    template.command("get").description("print a template's source").argument("<name>"),
    io,
    async ({ client, structured, emit, args }) => {
      const name = storedName(args[0] as string);
      const view = unwrap(await client.getTemplate(name), `template "${name}"`);
      await writeDocumentSource(io, view, structured ? emit : undefined);
    },
  );

  withApi(
    template.command("delete").description("delete a template").argument("<name>"),
    io,
    async ({ client, args, structured, emit }) => {
      const name = storedName(args[0] as string);
      unwrap(await client.deleteTemplate(name), `template "${name}"`);
      if (structured) return emit(actionOf("template", name, "deleted"));
      io.stdout.write(`template ${name} deleted\n`);
    },
  );
};
