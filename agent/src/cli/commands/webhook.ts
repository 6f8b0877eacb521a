/**
 * `assay webhook create | list | delete | deliveries | redeliver | apply`: webhooks of an
 * environment. `apply -f` takes Testkube `kind: Webhook` documents as they are. A signing
 * secret is read from an environment variable (`--secret-env`) so it stays out of shell history.
 */
import type { DeliveryView, WebhookView } from "@assay/shared";
import type { Command } from "commander";
import { parseAllDocuments } from "yaml";
import { formatTime, table } from "../format.ts";
import { CliError, type CliIo, colors, unwrap } from "../io.ts";
import { actionOf, listOf } from "../output.ts";
import { readDocumentFile } from "./documents.ts";
import { type ApiCommandContext, withApi } from "./shared.ts";

const repeat = (v: string, p: string[]) => [...p, v];
const segment = encodeURIComponent;

interface CreateOptions {
  uri: string;
  event: string[];
  workflow: string[];
  selector?: string;
  header: string[];
  format?: string;
  secretEnv?: string;
  templateFile?: string;
  disabled?: boolean;
}

const headersOf = (pairs: string[]): Record<string, string> =>
  Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf(":") > 0 ? pair.indexOf(":") : pair.indexOf("=");
      if (at <= 0) throw new CliError(`--header must be "Name: value" (got "${pair}")`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    }),
  );

async function createBody(name: string, options: CreateOptions, io: CliIo) {
  const secret = options.secretEnv === undefined ? undefined : io.env[options.secretEnv];
  if (options.secretEnv !== undefined && !secret) throw new CliError(`$${options.secretEnv} is not set`);
  return {
    name,
    url: options.uri,
    events: options.event,
    ...(options.workflow.length > 0 || options.selector
      ? { selector: { workflows: options.workflow, labels: options.selector ?? "" } }
      : {}),
    headers: headersOf(options.header),
    ...(options.format ? { format: options.format } : {}),
    ...(options.templateFile ? { payloadTemplate: await readDocumentFile(options.templateFile) } : {}),
    ...(secret ? { secret } : {}),
    disabled: options.disabled === true,
  };
}

const writeWebhooks = (io: CliIo, items: WebhookView[], emit?: (value: unknown) => void) => {
  if (emit) return emit(listOf(items));
  if (items.length === 0) return void io.stdout.write("no webhooks\n");
  io.stdout.write(
    table(
      ["NAME", "FORMAT", "EVENTS", "URL", "SIGNED", "STATE"],
      items.map((w) => [
        w.name,
        w.format,
        w.events.join(","),
        w.url,
        w.hasSecret ? "yes" : "no",
        w.disabled ? "disabled" : "enabled",
      ]),
    ),
  );
};

const writeDeliveries = (io: CliIo, items: DeliveryView[], emit?: (value: unknown) => void) => {
  if (emit) return emit(listOf(items));
  if (items.length === 0) return void io.stdout.write("no deliveries\n");
  io.stdout.write(
    table(
      ["ID", "TIME", "EVENT", "EXECUTION", "ATTEMPT", "OUTCOME", "STATUS", "LATENCY", "RESPONSE"],
      items.map((d) => [
        d.id,
        formatTime(d.at),
        d.event,
        d.executionId,
        String(d.attempt),
        d.outcome,
        d.statusCode === undefined ? "-" : String(d.statusCode),
        `${d.latencyMs}ms`,
        d.excerpt.replace(/\s+/g, " ").slice(0, 60),
      ]),
    ),
  );
};

/** The `metadata.name` of each `kind: Webhook` document of a file. */
function webhookDocuments(file: string, text: string): Array<{ name: string; text: string }> {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const found = list.flatMap((doc) => {
    if (doc.errors.length > 0) throw new CliError(`${file}: ${doc.errors[0]?.message ?? "not YAML"}`);
    const value = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    if (value?.kind !== "Webhook") return [];
    if (typeof value.metadata?.name !== "string")
      throw new CliError(`${file}: a Webhook has no metadata.name`);
    return [{ name: value.metadata.name, text: doc.toString() }];
  });
  if (found.length === 0) throw new CliError(`${file}: no kind: Webhook document`);
  return found;
}

export const registerWebhookCommands = (program: Command, io: CliIo): void => {
  const webhook = program
    .command("webhook")
    .alias("webhooks")
    .description("manage webhooks of an environment");

  withApi(
    webhook
      .command("create")
      .description("create a webhook")
      .argument("<name>")
      .requiredOption("--uri <url>", "where deliveries are POSTed (Testkube's name)")
      .option("--event <event>", "Testkube event name (repeatable)", repeat, [])
      .option("--workflow <name>", "only this workflow (repeatable)", repeat, [])
      .option("--selector <labels>", "label selector over workflow labels (team=qa,tier!=slow)")
      .option("--header <name:value>", "extra request header (repeatable)", repeat, [])
      .option("--format <format>", "testkube (default), slack or cdevents")
      .option("--secret-env <var>", "environment variable holding the signing secret")
      .option("--template-file <file>", "payload template ({{ }} expressions)")
      .option("--disabled", "create it disabled"),
    io,
    async ({ client, structured, emit, args, options }: ApiCommandContext<CreateOptions>) => {
      const name = args[0] as string;
      if (options.event.length === 0) throw new CliError("give at least one --event");
      const body = JSON.stringify(await createBody(name, options, io));
      const created = unwrap(
        await client.request<WebhookView>("POST", "webhooks", {
          text: body,
          contentType: "application/json",
        }),
        `webhook "${name}"`,
      );
      if (structured) emit(created);
      else io.stdout.write(`webhook ${name} created${created.hasSecret ? " (signed)" : ""}\n`);
    },
  );

  withApi(webhook.command("list").description("list webhooks"), io, async ({ client, structured, emit }) => {
    const { items } = unwrap(
      await client.request<{ items: WebhookView[] }>("GET", "webhooks"),
      "the webhook list",
    );
    writeWebhooks(io, items, structured ? emit : undefined);
  });

  withApi(
    webhook.command("delete").description("delete a webhook").argument("<name>"),
    io,
    async ({ client, args, structured, emit }) => {
      const name = args[0] as string;
      unwrap(await client.request("DELETE", `webhooks/${segment(name)}`), `webhook "${name}"`);
      if (structured) return emit(actionOf("webhook", name, "deleted"));
      io.stdout.write(`webhook ${name} deleted\n`);
    },
  );

  withApi(
    webhook
      .command("deliveries")
      .description("a webhook's delivery log, newest first")
      .argument("<name>")
      .option("--limit <n>", "how many attempts", "20"),
    io,
    async ({ client, structured, emit, args, options }: ApiCommandContext<{ limit: string }>) => {
      const name = args[0] as string;
      const { items } = unwrap(
        await client.request<{ items: DeliveryView[] }>(
          "GET",
          `webhooks/${segment(name)}/deliveries?limit=${segment(options.limit)}`,
        ),
        `webhook "${name}"`,
      );
      writeDeliveries(io, items, structured ? emit : undefined);
    },
  );

  withApi(
    webhook
      .command("redeliver")
      .description("send a logged delivery's event again")
      .argument("<name>")
      .argument("<id>"),
    io,
    async ({ client, args, structured, emit }) => {
      const [name, id] = args as [string, string];
      const result = unwrap(
        await client.request<{ deliveryId: string }>(
          "POST",
          `webhooks/${segment(name)}/deliveries/${segment(id)}/redeliver`,
        ),
        `delivery ${id} of webhook "${name}"`,
      );
      if (structured) return emit(result);
      io.stdout.write(`redelivery ${result.deliveryId} queued\n`);
    },
  );

  withApi(
    webhook
      .command("apply")
      .description("create or replace webhooks from Testkube kind: Webhook documents")
      .requiredOption("-f, --file <file>", "YAML or JSON with one or more Webhook documents"),
    io,
    async ({ client, options, structured, emit }: ApiCommandContext<{ file: string }>) => {
      const file = options.file;
      const c = colors(io);
      const applied: Array<{ name: string; warnings: string[] }> = [];
      for (const doc of webhookDocuments(file, await readDocumentFile(file))) {
        const result = unwrap(
          await client.request<{ warnings: string[] }>("PUT", `webhooks/${segment(doc.name)}`, {
            text: doc.text,
            contentType: "application/yaml",
          }),
          `webhook "${doc.name}"`,
        );
        applied.push({ name: doc.name, warnings: result.warnings });
        if (structured) continue;
        for (const warning of result.warnings) io.stderr.write(`${c.yellow("warning:")} ${warning}\n`);
        io.stdout.write(`webhook ${doc.name} applied\n`);
      }
      if (structured) emit(listOf(applied));
    },
  );
};
