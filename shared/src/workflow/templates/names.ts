/**
 * Template names and references. Testkube stores a template named `official/k6/v1` as the
 * Kubernetes object `official--k6--v1` (`/` is not allowed in object names) and accepts either
 * spelling in `use`; Assay stores templates by the object name the same way.
 */

import type { Step, StepParallel } from "../schema/steps.ts";
import type { TestWorkflow } from "../schema/workflow.ts";

/** The stored name of a template referenced as `name` (`a/b` -> `a--b`). */
export const templateObjectName = (name: string): string => name.replaceAll("/", "--");

/** Every template a workflow references (`use`, step `template`, services' `use`), deduplicated. */
export const referencedTemplates = (workflow: TestWorkflow): string[] => {
  const names = new Set<string>();
  const add = (name: string) => names.add(templateObjectName(name));
  const visitServices = (services: Record<string, { use?: Array<{ name: string }> }> | undefined) => {
    for (const service of Object.values(services ?? {})) for (const ref of service.use ?? []) add(ref.name);
  };
  const visitSpec = (spec: {
    use?: Array<{ name: string }>;
    services?: Record<string, { use?: Array<{ name: string }> }>;
    setup?: Step[];
    steps?: Step[];
    after?: Step[];
  }) => {
    for (const ref of spec.use ?? []) add(ref.name);
    visitServices(spec.services);
    for (const step of [...(spec.setup ?? []), ...(spec.steps ?? []), ...(spec.after ?? [])]) visitStep(step);
  };
  const visitStep = (step: Step) => {
    for (const ref of step.use ?? []) add(ref.name);
    if (step.template !== undefined) add(step.template.name);
    visitServices(step.services);
    for (const child of [...(step.setup ?? []), ...(step.steps ?? [])]) visitStep(child);
    if (step.parallel !== undefined) visitParallel(step.parallel);
  };
  const visitParallel = (parallel: StepParallel) => {
    if (parallel.template !== undefined) add(parallel.template.name);
    visitSpec(parallel);
  };
  visitSpec(workflow.spec);
  return [...names];
};
