/**
 * @assay/shared: browser-safe code shared by the control plane, the agent and the dashboard.
 * Node-only pieces live behind subpaths (`@assay/shared/proto`).
 */
export * from "./domain/access.ts";
export * from "./domain/artifact.ts";
export * from "./domain/credential.ts";
export * from "./domain/execution.ts";
export * from "./domain/execution-tags.ts";
export * from "./domain/ids.ts";
export * from "./domain/insights.ts";
export * from "./domain/sso.ts";
export * from "./domain/tenancy.ts";
export * from "./domain/webhook.ts";
export * from "./domain/workflow.ts";
export * from "./errors.ts";
export * from "./lazy-schema.ts";
export * from "./samples.ts";
export * from "./sse/index.ts";
export * from "./time/index.ts";
export * from "./version.ts";
