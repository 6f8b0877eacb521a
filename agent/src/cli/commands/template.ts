/** `assay template apply | list | get | delete`: TestWorkflowTemplates of an environment. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { formatTime, table } from "../format.ts";
import { CliError, type CliIo, colors, unwrap } from "../io.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

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
    async ({ client, options }: ApiCommandContext<{ file: string }>) => {
      const file = options.file;
      const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
        throw new CliError(
          `cannot read ${file}: ${error.code === "ENOENT" ? "no such file" : error.message}`,
        );
      });
      const { parseWorkflowDocuments } = await import("@assay/shared/workflow");
      const docs = parseWorkflowDocuments(text);
      const doc = docs.find((d) => d.kind === "TestWorkflowTemplate") ?? docs[0];
      if (doc === undefined) throw new CliError(`${file}: the file holds no document`);
      if (!doc.ok) {
        const lines = doc.issues.map(
          (i) => `${file}:${i.line ?? 1}:${i.column ?? 1} ${i.path || "(document)"}: ${i.message}`,
        );
        throw new CliError(lines.join("\n"));
      }
      if (doc.document.kind !== "TestWorkflowTemplate") {
        throw new CliError(`${file}: expected a TestWorkflowTemplate, found ${doc.document.kind}`);
      }
      const name = doc.document.metadata.name;
      const contentType = /\.json$/i.test(file) ? "application/json" : "application/yaml";
      const result = unwrap(await client.applyTemplate(name, text, contentType), `template "${name}"`);
      for (const warning of result.warnings) io.stderr.write(`${colors(io).yellow("warning:")} ${warning}\n`);
      io.stdout.write(`template ${name} applied\n`);
    },
  );

  withApi(
    template
      .command("list")
      .description("list templates")
      .option(
        "--label <key=value>",
        "only templates with this label (repeatable)",
        (v: string, p: string[]) => [...p, v],
        [],
      ),
    io,
    async ({ client, json, options }: ApiCommandContext<{ label: string[] }>) => {
      const { items } = unwrap(await client.listTemplates(options.label), "the template list");
      if (json) return void io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      const rows = items.map((t) => [
        t.name,
        Object.entries(t.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",") || "-",
        formatTime(t.updatedAt),
      ]);
      io.stdout.write(items.length === 0 ? "no templates\n" : table(["NAME", "LABELS", "UPDATED"], rows));
    },
  );

  withApi(
    template.command("get").description("print a template's source").argument("<name>"),
    io,
    async ({ client, json, args }) => {
      const name = (args[0] as string).replaceAll("/", "--");
      const view = unwrap(await client.getTemplate(name), `template "${name}"`);
      if (json) return void io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      const source = view.source ?? (await import("yaml")).stringify(view.spec);
      io.stdout.write(source.endsWith("\n") ? source : `${source}\n`);
    },
  );

  withApi(
    template.command("delete").description("delete a template").argument("<name>"),
    io,
    async ({ client, args }) => {
      const name = (args[0] as string).replaceAll("/", "--");
      unwrap(await client.deleteTemplate(name), `template "${name}"`);
      io.stdout.write(`template ${name} deleted\n`);
    },
  );
};
