/**
 * @assay/shared/workflow: the TestWorkflow spec (Testkube-compatible), its parser and the step
 * planner shared by the control plane and the agent. Browser-safe: no node: imports.
 */

export * from "./credentials.ts";
export * from "./data-path.ts";
export * from "./duration.ts";
export * from "./expressions/index.ts";
export { formatPath, type Locate } from "./issues.ts";
export * from "./parse.ts";
export * from "./plan/check.ts";
export { bareExpression, describeInstance, expandWith } from "./plan/fanout.ts";
export { planWorkflow } from "./plan/plan.ts";
export { RUNTIME_ONLY } from "./plan/resolve.ts";
export { rewriteServiceRefs, rewriteServiceTemplates } from "./plan/service-refs.ts";
export { resolveTags } from "./plan/tags.ts";
export * from "./plan/types.ts";
export * from "./runtimes.ts";
export * from "./schema/config.ts";
export * from "./schema/container.ts";
export * from "./schema/content.ts";
export * from "./schema/operations.ts";
export * from "./schema/primitives.ts";
export * from "./schema/scheduling.ts";
export * from "./schema/services.ts";
export * from "./schema/steps.ts";
export * from "./schema/workflow.ts";
export * from "./targets.ts";
export * from "./templates/index.ts";
export { writeYamlDocument } from "./yaml-source.ts";
