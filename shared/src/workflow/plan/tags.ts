/**
 * Execution tags with expressions: a tag value holding `{{ ... }}` (in `spec.execution.tags` or
 * given with the run) is evaluated when the execution is created, with what is known then:
 * `config`, `execution.id`, `.name`, `.number`, `workflow.name`, `.labels` and the standard
 * functions. The execution stores the values, so lists filter by them. What only a runner
 * knows (step status, `index`, `file()`...) has no value yet: such a tag is an error naming it.
 */
import { hasTemplate } from "../expressions/index.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import { createPlanContext } from "./context.ts";
import type { PlanOptions } from "./types.ts";

/** The tags with their expressions evaluated, or the problems (one per tag) naming each. */
export const resolveTags = (
  workflow: TestWorkflow,
  tags: Record<string, string>,
  options: Pick<PlanOptions, "config" | "execution">,
): { ok: true; tags: Record<string, string> } | { ok: false; problems: string[] } => {
  if (!Object.values(tags).some((value) => hasTemplate(value))) return { ok: true, tags };
  // The expressions see the tags as given (`execution.tags`), not each other's results.
  const context = createPlanContext(workflow, { ...options, execution: { ...options.execution, tags } });
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags))
    out[key] = hasTemplate(value) ? context.text(value, `tags.${key}`) : value;
  const problems = context
    .unsupported()
    .filter((u) => u.path.startsWith("tags."))
    .map((u) => `tag ${u.path.slice("tags.".length)}: ${u.message}`);
  return problems.length === 0 ? { ok: true, tags: out } : { ok: false, problems };
};
