/** TestWorkflowTemplate resolution (`use`, `template`): see resolve.ts. */
export { deepMerge, mergeContainer, mergeContent } from "./merge.ts";
export { referencedTemplates, templateObjectName } from "./names.ts";
export { resolveTemplates, type TemplateProblem, type TemplateResolution } from "./resolve.ts";
