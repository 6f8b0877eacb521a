/**
 * Webhooks of an environment: what a caller sends (`CreateWebhook`, `UpdateWebhook`), what the
 * API answers (`WebhookView`, secrets masked) and the delivery log (`DeliveryView`). Event
 * names are Testkube's, so migrated `kind: Webhook` documents keep their meaning.
 */
import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";

/** Testkube's TestWorkflow event names (the ones Assay emits). */
export const WEBHOOK_EVENTS = [
  "queue-testworkflow",
  "start-testworkflow",
  "end-testworkflow-success",
  "end-testworkflow-failed",
  "end-testworkflow-aborted",
  "end-testworkflow-canceled",
  "end-testworkflow-not-passed",
  "become-testworkflow-up",
  "become-testworkflow-down",
  "become-testworkflow-failed",
  "become-testworkflow-aborted",
  "become-testworkflow-canceled",
  "become-testworkflow-not-passed",
] as const;
export const WebhookEventType = lazySchema(() => z.enum(WEBHOOK_EVENTS));
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** A webhook's name: its id within the environment (Testkube's `metadata.name`). */
export const WebhookName = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "must be lowercase letters, digits and dashes"),
);

/**
 * How the request body is built: `testkube` (Testkube's event JSON, or `payloadTemplate` when
 * given), `slack` (an incoming-webhook message) or `cdevents` (CDEvents testrun events).
 */
export const WebhookFormat = lazySchema(() => z.enum(["testkube", "slack", "cdevents"]));
export type WebhookFormat = z.infer<typeof WebhookFormat>;

/**
 * Which executions a webhook hears about: workflows by name (none = all) and a Kubernetes-style
 * label selector over the workflow's labels (`team=qa,tier!=slow,env in (ci,nightly)`).
 */
export const WebhookSelector = lazySchema(() =>
  z
    .object({
      workflows: z.array(z.string().min(1).max(253)).max(100).default([]),
      labels: z.string().max(1024).default(""),
    })
    .strict(),
);
export type WebhookSelector = z.infer<typeof WebhookSelector>;

const HeaderName = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name"),
);
const HeaderValue = lazySchema(() =>
  z
    .string()
    .max(4096)
    .regex(/^[^\r\n\0]*$/, "must not contain line breaks"),
);

const WebhookFields = lazySchema(() => ({
  url: z.string().min(1).max(2048),
  events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENTS.length),
  selector: WebhookSelector.optional(),
  headers: z.record(HeaderName, HeaderValue).default({}),
  /** A `{{ }}` template of the body (see docs/webhooks.md for its fields); `testkube` format only. */
  payloadTemplate: z
    .string()
    .max(64 * 1024)
    .optional(),
  format: WebhookFormat.default("testkube"),
  /** Signs each delivery (HMAC-SHA256 over timestamp and body); write-only, never shown again. */
  secret: z.string().min(16, "must be at least 16 characters").max(256).optional(),
  disabled: z.boolean().default(false),
}));

/** Body of `POST .../webhooks`. */
export const CreateWebhook = lazySchema(() => z.object({ name: WebhookName, ...WebhookFields }).strict());
export type CreateWebhook = z.infer<typeof CreateWebhook>;

/** Body of `PATCH .../webhooks/{name}`: any subset; `secret: null` removes the secret. */
export const UpdateWebhook = lazySchema(() =>
  z
    .object({
      url: WebhookFields.url.optional(),
      events: WebhookFields.events.optional(),
      selector: WebhookSelector.nullable().optional(),
      headers: z.record(HeaderName, HeaderValue).optional(),
      payloadTemplate: z
        .string()
        .max(64 * 1024)
        .nullable()
        .optional(),
      format: WebhookFormat.optional(),
      secret: WebhookFields.secret.unwrap().nullable().optional(),
      disabled: z.boolean().optional(),
    })
    .strict(),
);
export type UpdateWebhook = z.infer<typeof UpdateWebhook>;

/** What the API shows of a webhook: the secret only as a flag, sensitive header values masked. */
export const WebhookView = lazySchema(() =>
  z.object({
    name: WebhookName,
    orgId: z.string(),
    envId: z.string(),
    url: z.string(),
    events: z.array(WebhookEventType),
    selector: WebhookSelector.optional(),
    headers: z.record(z.string(), z.string()),
    payloadTemplate: z.string().optional(),
    format: WebhookFormat,
    hasSecret: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);
export type WebhookView = z.infer<typeof WebhookView>;

/** The mask shown instead of a sensitive value. */
export const MASKED = "********";

/** Header names whose values are credentials: masked in views and in the audit log. */
export const isSensitiveHeader = (name: string): boolean =>
  /authorization|cookie|token|secret|key|password|signature/i.test(name);

/** The headers with sensitive values replaced by {@link MASKED}. */
export const maskHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, isSensitiveHeader(k) ? MASKED : v]));

/** One attempt to deliver one event to one webhook. */
export const DeliveryView = lazySchema(() =>
  z.object({
    /** The attempt's id (time-ordered). */
    id: z.string(),
    /** The delivery this attempt belongs to (all attempts of one event share it). */
    deliveryId: z.string(),
    /** The event's idempotency key, also sent as the `Idempotency-Key` header. */
    eventId: z.string(),
    event: WebhookEventType,
    executionId: z.string(),
    workflowName: z.string(),
    attempt: z.number().int().positive(),
    at: z.string(),
    outcome: z.enum(["delivered", "failed", "refused"]),
    /** HTTP status of the receiver's answer, when there was one. */
    statusCode: z.number().int().optional(),
    latencyMs: z.number().int().nonnegative(),
    /** The first bytes of the answer, or what went wrong. */
    excerpt: z.string(),
    /** When the next attempt is due (ISO), if one is scheduled. */
    nextAttemptAt: z.string().optional(),
    redelivery: z.boolean().default(false),
  }),
);
export type DeliveryView = z.infer<typeof DeliveryView>;
