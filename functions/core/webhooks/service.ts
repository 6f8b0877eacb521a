/**
 * Webhook use-cases: create, read, update, delete, apply a Testkube `kind: Webhook` document,
 * read the delivery log and redeliver. Managing webhooks needs the admin role (a webhook sends
 * run data out of Assay and its URL can itself be a credential, as Slack's are). Secrets and
 * sensitive header values are sealed at rest, never shown, and never written to the audit log.
 */
import {
  AppError,
  type CreateWebhook,
  type DeliveryView,
  maskHeaders,
  type UpdateWebhook,
  type WebhookView,
} from "@assay/shared";
import { authorize, type OrgPrincipal } from "../access.ts";
import { type AuditLog, auditActor } from "../audit.ts";
import type { EnvRef } from "../ports/refs.ts";
import type { WebhookSender } from "../ports/webhook-sender.ts";
import type { WebhookRecord, WebhookStore } from "../ports/webhook-store.ts";
import type { Clock, JobQueue } from "../ports.ts";
import type { RequestMeta } from "../principals.ts";
import type { SecretBox } from "../secret-box.ts";
import { renderPayloadTemplate } from "./payload.ts";
import { sampleEvent } from "./sample-event.ts";
import { sealHeaders } from "./sealing.ts";
import { parseLabelSelector } from "./selection.ts";
import { parseTestkubeWebhook } from "./testkube-document.ts";

export interface WebhookServiceDeps {
  store: WebhookStore;
  sender: Pick<WebhookSender, "checkUrl">;
  jobs: JobQueue;
  audit: AuditLog;
  clock: Clock;
  box?: SecretBox;
}

/** A URL for the audit log and views: no query string (it may carry a token). */
const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? "?…" : ""}`;
  } catch {
    return url.slice(0, 100);
  }
};

export const toWebhookView = (w: WebhookRecord): WebhookView => ({
  name: w.name,
  orgId: w.orgId,
  envId: w.envId,
  url: w.url,
  events: w.events,
  ...(w.selector ? { selector: w.selector } : {}),
  headers: maskHeaders(w.headers),
  ...(w.payloadTemplate ? { payloadTemplate: w.payloadTemplate } : {}),
  format: w.format,
  hasSecret: w.secret !== undefined,
  disabled: w.disabled,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

const toDeliveryView = ({
  orgId: _o,
  envId: _e,
  webhook: _w,
  ...view
}: DeliveryView & Record<string, unknown>) => view as DeliveryView;

export function createWebhookService(deps: WebhookServiceDeps) {
  const { store, clock } = deps;
  const now = () => new Date(clock.now()).toISOString();

  async function load({ orgId, envId }: EnvRef, name: string): Promise<WebhookRecord> {
    const webhook = await store.get({ orgId, envId }, name);
    if (!webhook) throw new AppError("not_found", `webhook ${name} not found`);
    return webhook;
  }

  /** Refuses what could never be delivered: a bad URL, selector or template. */
  function validate(w: Pick<WebhookRecord, "url" | "selector" | "payloadTemplate" | "format">): void {
    deps.sender.checkUrl(w.url);
    if (w.selector) parseLabelSelector(w.selector.labels);
    if (w.payloadTemplate !== undefined && w.format !== "testkube") {
      throw new AppError("invalid_argument", "payloadTemplate: only the testkube format takes a template");
    }
    if (w.payloadTemplate) renderPayloadTemplate(w.payloadTemplate, sampleEvent());
  }

  async function write(principal: OrgPrincipal, record: WebhookRecord, expected: number, meta?: RequestMeta) {
    validate(record);
    await store.put(
      {
        ...record,
        headers: sealHeaders(record.headers, deps.box),
        ...(record.secret === undefined
          ? {}
          : { secret: deps.box ? deps.box.seal(record.secret) : record.secret }),
      },
      expected,
    );
    await deps.audit.record({
      orgId: record.orgId,
      action: expected === 0 ? "webhook.create" : "webhook.update",
      actor: auditActor(principal),
      target: { kind: "webhook", id: `${record.envId}/${record.name}` },
      details: {
        url: displayUrl(record.url),
        events: record.events.join(","),
        format: record.format,
        secret: record.secret === undefined ? "none" : "set",
        headers: Object.keys(record.headers).join(","),
        disabled: String(record.disabled),
      },
      meta,
    });
    return toWebhookView(record);
  }

  const fromCreate = ({ orgId, envId }: EnvRef, input: CreateWebhook, existing?: WebhookRecord) => {
    const at = now();
    return {
      orgId,
      envId,
      name: input.name,
      url: input.url,
      events: [...new Set(input.events)],
      ...(input.selector ? { selector: input.selector } : {}),
      headers: input.headers,
      ...(input.payloadTemplate ? { payloadTemplate: input.payloadTemplate } : {}),
      format: input.format,
      ...(input.secret ? { secret: input.secret } : {}),
      disabled: input.disabled,
      createdAt: existing?.createdAt ?? at,
      updatedAt: at,
      version: (existing?.version ?? 0) + 1,
    } satisfies WebhookRecord;
  };

  return {
    async create(principal: OrgPrincipal, envId: string, input: CreateWebhook, meta?: RequestMeta) {
      authorize(principal, "manage-webhooks");
      if (await store.get({ orgId: principal.orgId, envId }, input.name)) {
        throw new AppError("already_exists", `webhook ${input.name} already exists`);
      }
      return write(principal, fromCreate({ orgId: principal.orgId, envId }, input), 0, meta);
    },

    /** Creates or replaces a webhook from a Testkube `kind: Webhook` document (YAML or JSON). */
    async apply(principal: OrgPrincipal, envId: string, text: string, name?: string, meta?: RequestMeta) {
      authorize(principal, "manage-webhooks");
      const { webhook: input, warnings } = parseTestkubeWebhook(text);
      if (name !== undefined && input.name !== name) {
        throw new AppError("invalid_argument", `metadata.name: must be ${name} to match the URL`);
      }
      const existing = await store.get({ orgId: principal.orgId, envId }, input.name);
      // A document without a secret keeps the one already set (Testkube documents carry none).
      const record = fromCreate({ orgId: principal.orgId, envId }, input, existing);
      const kept =
        existing?.secret && !input.secret
          ? { secret: deps.box?.open(existing.secret) ?? existing.secret }
          : {};
      const view = await write(principal, { ...record, ...kept }, existing?.version ?? 0, meta);
      return { webhook: view, created: !existing, warnings };
    },

    async list(principal: OrgPrincipal, envId: string): Promise<WebhookView[]> {
      authorize(principal, "manage-webhooks");
      return (await store.list({ orgId: principal.orgId, envId })).map(toWebhookView);
    },

    async get(principal: OrgPrincipal, envId: string, name: string): Promise<WebhookView> {
      authorize(principal, "manage-webhooks");
      return toWebhookView(await load({ orgId: principal.orgId, envId }, name));
    },

    async update(
      principal: OrgPrincipal,
      envId: string,
      name: string,
      patch: UpdateWebhook,
      meta?: RequestMeta,
    ) {
      authorize(principal, "manage-webhooks");
      const existing = await load({ orgId: principal.orgId, envId }, name);
      const open = (v: string) => deps.box?.open(v) ?? v;
      const { selector, payloadTemplate, secret, ...rest } = patch;
      const next: WebhookRecord = {
        ...existing,
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        headers:
          patch.headers ?? Object.fromEntries(Object.entries(existing.headers).map(([k, v]) => [k, open(v)])),
        updatedAt: now(),
        version: existing.version + 1,
      };
      if (selector !== undefined) next.selector = selector ?? undefined;
      if (payloadTemplate !== undefined) next.payloadTemplate = payloadTemplate ?? undefined;
      next.secret = secret === undefined ? existing.secret && open(existing.secret) : (secret ?? undefined);
      if (patch.events) next.events = [...new Set(patch.events)];
      return write(principal, next, existing.version, meta);
    },

    async delete(principal: OrgPrincipal, envId: string, name: string, meta?: RequestMeta): Promise<void> {
      authorize(principal, "manage-webhooks");
      if (!(await store.delete({ orgId: principal.orgId, envId }, name))) {
        throw new AppError("not_found", `webhook ${name} not found`);
      }
      await deps.audit.record({
        orgId: principal.orgId,
        action: "webhook.delete",
        actor: auditActor(principal),
        target: { kind: "webhook", id: `${envId}/${name}` },
        meta,
      });
    },

    async deliveries(
      principal: OrgPrincipal,
      envId: string,
      name: string,
      page: { limit: number; cursor?: string },
    ) {
      authorize(principal, "manage-webhooks");
      await load({ orgId: principal.orgId, envId }, name);
      const result = await store.listDeliveries({ orgId: principal.orgId, envId }, name, page);
      return { items: result.items.map(toDeliveryView), nextCursor: result.nextCursor };
    },

    /** Sends the event of a logged attempt again, as a new delivery with the same idempotency key. */
    async redeliver(
      principal: OrgPrincipal,
      envId: string,
      name: string,
      attemptId: string,
      meta?: RequestMeta,
    ) {
      authorize(principal, "manage-webhooks");
      await load({ orgId: principal.orgId, envId }, name);
      const attempt = await store.getDelivery({ orgId: principal.orgId, envId }, name, attemptId);
      if (!attempt) throw new AppError("not_found", `delivery ${attemptId} not found`);
      const deliveryId = `${attempt.eventId}.r${clock.now().toString(36)}`;
      await deps.jobs.send({
        kind: "webhook-delivery",
        id: `${name}.${deliveryId}`,
        payload: {
          orgId: principal.orgId,
          envId,
          webhook: name,
          executionId: attempt.executionId,
          event: attempt.event,
          deliveryId,
          attempt: "1",
          redelivery: "true",
        },
      });
      await deps.audit.record({
        orgId: principal.orgId,
        action: "webhook.redeliver",
        actor: auditActor(principal),
        target: { kind: "webhook", id: `${envId}/${name}` },
        details: { event: attempt.event, executionId: attempt.executionId },
        meta,
      });
      return { deliveryId };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
