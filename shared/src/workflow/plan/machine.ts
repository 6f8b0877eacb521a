/**
 * The expression roots a run knows from the moment it starts, as Testkube names them:
 * `execution` (`id`, `groupId`, `name`, `number`, `scheduledAt`, `disableWebhooks`, `tags`),
 * `workflow` (`name`, `labels`), `labels` (the workflow's labels with `.`, `-` and `/` in keys
 * turned into `_`), `organization.id`, `environment.id` and `dashboard.url`. The control plane
 * sets the run's place (`PlanOptions.place`) when it starts the run; planned without one (a
 * check at apply time), those three are empty, as in Testkube outside its cloud.
 */

import { fromJs, type Value } from "../expressions/index.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import type { PlanOptions } from "./types.ts";

/** `execution`, `workflow`, `labels`, `organization`, `environment` and `dashboard`. */
export const machineVariables = (workflow: TestWorkflow, options: PlanOptions): Record<string, Value> => {
  const execution = options.execution ?? {};
  const place = options.place;
  const labels = workflow.metadata.labels ?? {};
  return {
    execution: fromJs({
      id: execution.id ?? "",
      // A run is its own group: Assay has no groups of executions started together.
      groupId: execution.id ?? "",
      name: execution.name ?? "",
      number: execution.number ?? 0,
      scheduledAt: execution.scheduledAt ?? "",
      // Assay has no per-run switch to silence webhooks: they always fire.
      disableWebhooks: false,
      tags: { ...workflow.spec.execution?.tags, ...execution.tags },
    }),
    workflow: fromJs({ name: workflow.metadata.name, labels }),
    labels: fromJs(Object.fromEntries(Object.entries(labels).map(([k, v]) => [labelVariable(k), v]))),
    organization: fromJs({ id: place?.organizationId ?? "" }),
    environment: fromJs({ id: place?.environmentId ?? "" }),
    dashboard: fromJs({ url: place?.dashboardUrl ?? "" }),
  };
};

/** A label key as a `labels.NAME` member: `app.kubernetes.io/name` is `app_kubernetes_io_name`. */
const labelVariable = (key: string): string => key.replace(/[.\-/]/g, "_");
