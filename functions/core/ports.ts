/**
 * The ports of the control plane core, one file each in ports/: small interfaces the services depend on, implemented by
 * adapters (aws/ for DynamoDB, S3, SQS; nats/ for the bus; local/ for embedded defaults).
 * Core code never imports an adapter; composition roots wire them together.
 *
 * Every store method is scoped by organization (and environment where it applies): tenant
 * isolation is a property of the keys, not of filtering after the fact.
 */

export * from "./ports/agent-identity-store.ts";
export * from "./ports/audit-store.ts";
export * from "./ports/blob-store.ts";
export * from "./ports/bus.ts";
export * from "./ports/clock.ts";
export * from "./ports/concurrency-groups.ts";
export * from "./ports/credential-store.ts";
export * from "./ports/execution-store.ts";
export * from "./ports/insight-store.ts";
export * from "./ports/invitation-store.ts";
export * from "./ports/job-queue.ts";
export * from "./ports/key-wrapper.ts";
export * from "./ports/logger.ts";
export * from "./ports/mailer.ts";
export * from "./ports/member-store.ts";
export * from "./ports/oidc-client.ts";
export * from "./ports/one-time-token-store.ts";
export * from "./ports/org-store.ts";
export * from "./ports/presence-store.ts";
export * from "./ports/rate-limiter.ts";
export * from "./ports/refs.ts";
export * from "./ports/run-slots.ts";
export * from "./ports/schedule-store.ts";
export * from "./ports/session-store.ts";
export * from "./ports/sso-store.ts";
export * from "./ports/template-store.ts";
export * from "./ports/token-store.ts";
export * from "./ports/token-usage-store.ts";
export * from "./ports/user-store.ts";
export * from "./ports/webhook-sender.ts";
export * from "./ports/webhook-store.ts";
export * from "./ports/workflow-store.ts";
