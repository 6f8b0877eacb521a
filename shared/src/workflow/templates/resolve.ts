/**
 * `use` and `template` resolution: a TestWorkflow plus the templates it references becomes a
 * TestWorkflow with none left, which is what an execution stores (`specYaml`) and an agent
 * runs. Pure and synchronous: the caller fetches the templates first (`referencedTemplates`).
 * Follows Testkube's resolver: `use` lists apply last to first so the first template's steps
 * run first; each template is configured with its `use[].config` before it is merged.
 */

import type { TemplateRef } from "../schema/config.ts";
import type { ServiceSpec } from "../schema/services.ts";
import type { Step, StepParallel } from "../schema/steps.ts";
import type { TestWorkflow, TestWorkflowTemplate } from "../schema/workflow.ts";
import { applyTemplateConfig, TemplateConfigError } from "./apply-config.ts";
import { injectIntoService, injectIntoSpec, injectIntoStep, type TemplateBody } from "./merge.ts";
import { templateObjectName } from "./names.ts";

/** Why resolution failed, with the document path of the reference. */
export interface TemplateProblem {
  path: string;
  message: string;
  /** The stored name of a template that does not exist. */
  missing?: string;
}

/** Outcome of {@link resolveTemplates}. */
export type TemplateResolution =
  | { ok: true; workflow: TestWorkflow }
  | { ok: false; problem: TemplateProblem };

class Failure extends Error {
  readonly problem: TemplateProblem;
  constructor(problem: TemplateProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/**
 * Resolves every template reference of `workflow` with `templates` (by stored name, see
 * `templateObjectName`). Never throws on valid documents.
 */
export const resolveTemplates = (
  workflow: TestWorkflow,
  templates: ReadonlyMap<string, TestWorkflowTemplate>,
): TemplateResolution => {
  const configured = (ref: TemplateRef, path: string): TemplateBody => {
    const name = templateObjectName(ref.name);
    const template = templates.get(name);
    if (template === undefined) {
      throw new Failure({ path, message: `template ${ref.name} not found (${path})`, missing: ref.name });
    }
    const { config, services, ...rest } = template.spec;
    try {
      const body = applyTemplateConfig({ ...rest, services }, config, ref.config, ref.name) as TemplateBody;
      return body;
    } catch (error) {
      if (error instanceof TemplateConfigError)
        throw new Failure({ path: `${path}.config`, message: error.message });
      throw error;
    }
  };

  const services = (all: Record<string, ServiceSpec> | undefined, path: string) => {
    if (all === undefined) return undefined;
    const out: Record<string, ServiceSpec> = {};
    for (const [name, service] of Object.entries(all)) {
      let resolved = service as Record<string, unknown>;
      const uses = service.use ?? [];
      for (let i = uses.length - 1; i >= 0; i--) {
        const at = `${path}.${name}.use[${i}]`;
        const body = configured(uses[i] as TemplateRef, at);
        if ((body.setup?.length ?? 0) + (body.steps?.length ?? 0) + (body.after?.length ?? 0) > 0) {
          throw new Failure({ path: at, message: `${at}: a template used by a service cannot have steps` });
        }
        if (Object.keys(body.services ?? {}).length > 0) {
          throw new Failure({
            path: at,
            message: `${at}: a template used by a service cannot have services`,
          });
        }
        resolved = injectIntoService(resolved, body);
      }
      const { use: _use, ...rest } = resolved as ServiceSpec;
      out[name] = rest as ServiceSpec;
    }
    return out;
  };

  const spec = <S extends Record<string, unknown>>(input: S, path: string): S => {
    let out: Record<string, unknown> = { ...input };
    const uses = (input.use as TemplateRef[] | undefined) ?? [];
    for (let i = uses.length - 1; i >= 0; i--)
      out = injectIntoSpec(out, configured(uses[i] as TemplateRef, `${path}.use[${i}]`));
    delete out.use;
    const resolvedServices = services(
      out.services as Record<string, ServiceSpec> | undefined,
      `${path}.services`,
    );
    if (resolvedServices !== undefined) out.services = resolvedServices;
    for (const phase of ["setup", "steps", "after"] as const) {
      const list = out[phase] as Step[] | undefined;
      if (list !== undefined) out[phase] = list.map((s, i) => step(s, `${path}.${phase}[${i}]`));
    }
    return out as S;
  };

  const step = (input: Step, path: string): Step => {
    let out: Step = { ...input };
    const uses = input.use ?? [];
    for (let i = uses.length - 1; i >= 0; i--)
      out = injectIntoStep(out, configured(uses[i] as TemplateRef, `${path}.use[${i}]`));
    delete out.use;
    if (out.template !== undefined) {
      const isolated = injectIntoStep({}, configured(out.template, `${path}.template`));
      const inner = [...(isolated.setup ?? []), ...(isolated.steps ?? [])];
      if (inner.length > 0) {
        // Without its own container or content the template's steps join this step's directly.
        const plain = isolated.container === undefined && isolated.content === undefined;
        out.steps = [...(plain ? inner : [isolated]), ...(out.steps ?? [])];
      }
      delete out.template;
    }
    const resolvedServices = services(out.services, `${path}.services`);
    if (resolvedServices !== undefined) out.services = resolvedServices;
    if (out.parallel !== undefined) out.parallel = parallel(out.parallel, `${path}.parallel`);
    if (out.setup !== undefined) out.setup = out.setup.map((s, i) => step(s, `${path}.setup[${i}]`));
    if (out.steps !== undefined) out.steps = out.steps.map((s, i) => step(s, `${path}.steps[${i}]`));
    return out;
  };

  const parallel = (input: StepParallel, path: string): StepParallel => {
    let out: StepParallel = { ...input };
    if (out.template !== undefined) {
      // As Testkube does: the template becomes the first step of the workers' spec.
      out = { ...out, steps: [{ template: out.template }, ...(out.steps ?? [])] };
      delete out.template;
    }
    return spec(out as unknown as Record<string, unknown>, path) as unknown as StepParallel;
  };

  try {
    const resolved = spec(workflow.spec as unknown as Record<string, unknown>, "spec");
    return { ok: true, workflow: { ...workflow, spec: resolved as TestWorkflow["spec"] } };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, problem: error.problem };
    throw error;
  }
};
