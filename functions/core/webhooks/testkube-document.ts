/**
 * Testkube `kind: Webhook` documents (`executor.testkube.io/v1`) read as Assay webhooks:
 * `spec.uri` -> url, `events`, `selector` (a label selector), `headers`, `payloadTemplate`,
 * `disabled`. Fields Assay does not act on (`payloadObjectField`, `payloadTemplateReference`,
 * `config`, `parameters`, `webhookTemplateRef`, `target`, `onStateChange`) are accepted with a
 * warning each; event names of Testkube's test and test suite resources are warnings too.
 * Assay extensions live under the `assay.io/format` and `assay.io/workflows` annotations.
 */
import { AppError, CreateWebhook, WEBHOOK_EVENTS, type WebhookEventType } from "@assay/shared";
import { parseAllDocuments } from "yaml";
import * as z from "zod";

const TestkubeWebhook = z.object({
  apiVersion: z.string().optional(),
  kind: z.literal("Webhook", { error: "must be Webhook" }),
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z
    .object({
      uri: z.string({ error: "is required" }),
      events: z.array(z.string()).default([]),
      selector: z.string().default(""),
      headers: z.record(z.string(), z.string()).default({}),
      payloadTemplate: z.string().optional(),
      disabled: z.boolean().default(false),
      secret: z.string().optional(),
    })
    .loose(),
});

const IGNORED = [
  "payloadObjectField",
  "payloadTemplateReference",
  "config",
  "parameters",
  "webhookTemplateRef",
  "target",
  "onStateChange",
];

const invalid = (path: string, message: string) =>
  new AppError("invalid_argument", `invalid webhook: ${path}: ${message}`, { issues: [{ path, message }] });

/** Parses the text's first document; throws `invalid_argument` naming the bad field. */
export function parseTestkubeWebhook(text: string): { webhook: CreateWebhook; warnings: string[] } {
  let raw: unknown;
  try {
    const docs = parseAllDocuments(text);
    const first = Array.isArray(docs) ? docs[0] : docs;
    if (!first) throw invalid("", "the text holds no document");
    if (first.errors.length > 0) throw invalid("", first.errors[0]?.message ?? "not YAML");
    raw = first.toJS({ maxAliasCount: 50 });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw invalid("", error instanceof Error ? error.message : "not YAML");
  }
  const parsed = TestkubeWebhook.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue?.path.join(".") ?? "", issue?.message ?? "invalid");
  }
  const { metadata, spec } = parsed.data;
  const warnings: string[] = [];
  for (const field of IGNORED) {
    if ((spec as Record<string, unknown>)[field] !== undefined)
      warnings.push(`spec.${field}: not supported, ignored`);
  }
  const events = spec.events.filter((e): e is WebhookEventType => {
    if ((WEBHOOK_EVENTS as readonly string[]).includes(e)) return true;
    warnings.push(`spec.events: ${e} is not a TestWorkflow event, ignored`);
    return false;
  });
  if (events.length === 0) throw invalid("spec.events", "names no TestWorkflow event");
  const annotations = metadata.annotations ?? {};
  const workflows = (annotations["assay.io/workflows"] ?? "")
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  const candidate = {
    name: metadata.name,
    url: spec.uri,
    events,
    ...(spec.selector || workflows.length > 0 ? { selector: { labels: spec.selector, workflows } } : {}),
    headers: spec.headers,
    ...(spec.payloadTemplate ? { payloadTemplate: spec.payloadTemplate } : {}),
    ...(annotations["assay.io/format"] ? { format: annotations["assay.io/format"] } : {}),
    ...(spec.secret ? { secret: spec.secret } : {}),
    disabled: spec.disabled,
  };
  const webhook = CreateWebhook.safeParse(candidate);
  if (!webhook.success) {
    const issue = webhook.error.issues[0];
    const path = issue?.path.join(".") ?? "";
    const docPath = path === "name" ? "metadata.name" : path === "url" ? "spec.uri" : `spec.${path}`;
    throw invalid(docPath, issue?.message ?? "invalid");
  }
  return { webhook: webhook.data, warnings };
}
