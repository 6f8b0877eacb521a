/**
 * State shared while planning one workflow: the runner's features, the run's config values,
 * and the collected `unsupported` entries (one per document path and feature, so a variable
 * of `spec.container.env` used by ten steps is reported once).
 */

import { createMap, type ExpressionFunction, type Value } from "../expressions/index.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import type { EnvEntry } from "./container.ts";
import { type PodFields, podFields, valueFromSource } from "./field-refs.ts";
import { machineVariables } from "./machine.ts";
import { type ResolveContext, resolveTemplate } from "./resolve.ts";
import type { PlanOptions, RunnerFeature, UnsupportedFeature, UnsupportedFeatureName } from "./types.ts";

/** Planning state; see the module header. */
export interface PlanContext {
  config: Record<string, string>;
  /** Typed config and the run's facts (`execution`, `workflow`, `dashboard`...) for expressions. */
  scope: Record<string, Value>;
  /** Extra expression functions (PlanOptions.functions). */
  functions?: Record<string, ExpressionFunction>;
  /** The runner runs steps in their container images (see `PlanOptions.containers`). */
  containers: boolean;
  /** What `valueFrom.fieldRef` reads (plan/field-refs.ts). */
  pod: PodFields;
  /** True when the runner implements `feature`. */
  has(feature: RunnerFeature): boolean;
  /** Record `feature` as unsupported at `path` unless the runner has it; returns whether it has it. */
  require(feature: RunnerFeature, path: string, message: string, ref?: string): boolean;
  /** Record something no runner supports (e.g. `paused`). */
  refuse(feature: UnsupportedFeatureName, path: string, message: string, ref?: string): void;
  /** Resolve `{{ }}` in a string field; unresolvable ones are recorded and the text kept. */
  text(value: string, path: string, ref?: string, env?: Record<string, string>): string;
  unsupported(): UnsupportedFeature[];
  /**
   * The same planning state (features, config, collected entries) with more expression roots:
   * a parallel worker's or service instance's `index`, `count`, `matrix` and `shard`, which are
   * then folded at plan time instead of being left for the runner.
   */
  withScope(extra: Record<string, Value>): PlanContext;
}

/** Start planning `workflow` with `options`. */
export const createPlanContext = (workflow: TestWorkflow, options: PlanOptions): PlanContext => {
  const features = new Set(options.features ?? []);
  const functions = options.functions;
  const entries = new Map<string, UnsupportedFeature>();
  const config = configValues(workflow, options.config ?? {}, (name, path) =>
    refuse("config", path, `config parameter "${name}" has no value and no default`),
  );
  function refuse(feature: UnsupportedFeatureName, path: string, message: string, ref?: string): void {
    const key = `${feature}\u0000${path}`;
    if (!entries.has(key))
      entries.set(key, ref === undefined ? { path, feature, message } : { path, feature, message, ref });
  }
  const require = (feature: RunnerFeature, path: string, message: string, ref?: string): boolean => {
    if (features.has(feature)) return true;
    refuse(feature, path, message, ref);
    return false;
  };
  const pod = podFields(workflow, options);
  const build = (scope: Record<string, Value>): PlanContext => {
    const text = (value: string, path: string, ref?: string, env?: Record<string, string>): string => {
      const context: ResolveContext =
        env === undefined ? { config, scope, functions } : { config, env, scope, functions };
      const resolved = resolveTemplate(value, context);
      if (resolved.ok) return resolved.value;
      if (!resolved.runtime) {
        refuse("expressions", path, resolved.reason, ref);
        return value;
      }
      // Left for a runner that evaluates expressions; reported unless it declares that it does.
      require("expressions", path, expressionMessage(resolved.template), ref);
      return resolved.template;
    };
    return {
      config,
      scope,
      ...(functions === undefined ? {} : { functions }),
      containers: options.containers === true,
      pod,
      has: (feature) => features.has(feature),
      require,
      refuse,
      text,
      unsupported: () => [...entries.values()],
      withScope: (extra) => build({ ...scope, ...extra }),
    };
  };
  return build(expressionScope(workflow, options, config));
};

/** The message for text whose expressions need values only a runner has. */
export const expressionMessage = (template: string): string =>
  `${JSON.stringify(template)} reads values known only while the step runs (index, matrix, shard, step status or files), which this agent does not evaluate yet`;

/**
 * Expression roots known when the run starts: `config` typed by its parameter schema (so that
 * `config.workers + 1` adds) and the run's own facts (machine.ts).
 */
const expressionScope = (
  workflow: TestWorkflow,
  options: PlanOptions,
  config: Record<string, string>,
): Record<string, Value> => {
  const params = workflow.spec.config ?? {};
  const typed = createMap(
    Object.entries(config).map(([name, value]): [string, Value] => {
      const type = Object.hasOwn(params, name) ? params[name]?.type : undefined;
      if ((type === "integer" || type === "number") && value.trim() !== "" && Number.isFinite(Number(value)))
        return [name, Number(value)];
      if (type === "boolean" && (value === "true" || value === "false")) return [name, value === "true"];
      return [name, value];
    }),
  );
  return {
    config: typed,
    ...machineVariables(workflow, options),
    ...options.variables,
  };
};

/** Run values over parameter defaults; a parameter with neither is reported. */
const configValues = (
  workflow: TestWorkflow,
  given: Record<string, string>,
  missing: (name: string, path: string) => void,
): Record<string, string> => {
  const values: Record<string, string> = {};
  for (const [name, schema] of Object.entries(workflow.spec.config ?? {})) {
    const value = given[name] ?? (schema.default === undefined ? undefined : String(schema.default));
    if (value === undefined) missing(name, `spec.config.${name}`);
    else values[name] = value;
  }
  for (const [name, value] of Object.entries(given)) values[name] ??= value;
  return values;
};

/**
 * Literal environment of a step: values resolved, `valueFrom` field and resource references
 * answered (field-refs.ts; `resources` are the step's own); what cannot be is reported.
 */
export const resolveEnv = (
  env: Map<string, EnvEntry>,
  envFrom: string[],
  context: PlanContext,
  ref: string,
  resources?: Parameters<typeof valueFromSource>[3],
): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, entry] of env) {
    if (entry.valueFrom !== undefined) {
      const at = `${entry.path}.valueFrom`;
      const value = valueFromSource(name, entry.valueFrom, at, resources, context, ref);
      if (value !== undefined) out[name] = value;
      continue;
    }
    const raw = entry.value === undefined ? "" : String(entry.value);
    out[name] = context.text(raw, `${entry.path}.value`, ref, out);
  }
  for (const path of envFrom) {
    const message = "envFrom takes secretRef or configMapRef sources (with a name)";
    context.require("envFrom", path, message, ref);
  }
  return out;
};
