/**
 * Merging a (configured) template into a workflow spec, a step or a service, with Testkube's
 * rules (testworkflowresolver): the template is the base and what the workflow writes wins;
 * environment variables merge by name; lists of files, events, volumes and mounts append;
 * template `setup` and `steps` come before the workflow's, template `after` after the
 * workflow's (for a step, the template's `after` steps end its `steps`).
 */
import type { ContainerConfig, EnvVar } from "../schema/container.ts";
import type { Content } from "../schema/content.ts";
import type { Step } from "../schema/steps.ts";

type Data = Record<string, unknown>;

const isObject = (value: unknown): value is Data =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Objects merge key by key, lists append, anything else: `over` wins when set. */
export const deepMerge = (base: unknown, over: unknown): unknown => {
  if (over === undefined) return base;
  if (base === undefined) return over;
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...over];
  if (isObject(base) && isObject(over)) {
    const out: Data = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
    return out;
  }
  return over;
};

/** Objects merge key by key (one level), `over` wins per key. */
const shallowMerge = <T>(base: T | undefined, over: T | undefined): T | undefined =>
  base === undefined ? over : over === undefined ? base : ({ ...base, ...over } as T);

const mergeEnv = (base: EnvVar[] | undefined, over: EnvVar[] | undefined): EnvVar[] | undefined => {
  if (base === undefined) return over;
  if (over === undefined) return base;
  const names = new Set(over.map((e) => e.name));
  return [...base.filter((e) => !names.has(e.name)), ...over];
};

const append = <T>(base: T[] | undefined, over: T[] | undefined): T[] | undefined =>
  base === undefined ? over : over === undefined ? base : [...base, ...over];

/** Container defaults: scalars from `over` win, env by name, resources per quantity. */
export const mergeContainer = (
  base: ContainerConfig | undefined,
  over: ContainerConfig | undefined,
): ContainerConfig | undefined => {
  if (base === undefined) return over;
  if (over === undefined) return base;
  const merged: ContainerConfig = { ...base, ...over };
  const env = mergeEnv(base.env, over.env);
  if (env !== undefined) merged.env = env;
  const envFrom = append(base.envFrom, over.envFrom);
  if (envFrom !== undefined) merged.envFrom = envFrom;
  const mounts = append(base.volumeMounts, over.volumeMounts);
  if (mounts !== undefined) merged.volumeMounts = mounts;
  if (base.resources !== undefined || over.resources !== undefined) {
    merged.resources = {
      ...shallowMerge(base.resources, over.resources),
      ...(base.resources?.limits || over.resources?.limits
        ? { limits: shallowMerge(base.resources?.limits, over.resources?.limits) }
        : {}),
      ...(base.resources?.requests || over.resources?.requests
        ? { requests: shallowMerge(base.resources?.requests, over.resources?.requests) }
        : {}),
    };
  }
  const security = shallowMerge(base.securityContext, over.securityContext);
  if (security !== undefined) merged.securityContext = security;
  return merged;
};

/** Content: Git and OCI from `over` win, files and tarballs append. */
export const mergeContent = (base: Content | undefined, over: Content | undefined): Content | undefined => {
  if (base === undefined) return over;
  if (over === undefined) return base;
  const merged: Content = { ...base, ...over };
  const git = shallowMerge(base.git, over.git);
  if (git !== undefined) merged.git = git;
  const files = append(base.files, over.files);
  if (files !== undefined) merged.files = files;
  const tarball = append(base.tarball, over.tarball);
  if (tarball !== undefined) merged.tarball = tarball;
  return merged;
};

/** The parts of a spec a template contributes (template spec after config was applied). */
export interface TemplateBody {
  container?: ContainerConfig;
  content?: Content;
  services?: Record<string, unknown>;
  pod?: Data;
  job?: Data;
  events?: unknown[];
  execution?: Data;
  concurrency?: Data;
  pvcs?: Data;
  system?: Data;
  timeouts?: Data;
  setup?: Step[];
  steps?: Step[];
  after?: Step[];
}

/** Spec-level `use`: the template's settings are the base; steps wrap the workflow's. */
export const injectIntoSpec = (spec: Data, template: TemplateBody): Data => {
  const out: Data = { ...spec };
  const set = (key: string, value: unknown) => {
    if (value === undefined) delete out[key];
    else out[key] = value;
  };
  set("pod", deepMerge(template.pod, spec.pod));
  set("job", deepMerge(template.job, spec.job));
  set("events", append(template.events, spec.events as unknown[] | undefined));
  set("execution", deepMerge(template.execution, spec.execution));
  set("concurrency", shallowMerge(template.concurrency, spec.concurrency as Data | undefined));
  set("pvcs", shallowMerge(template.pvcs, spec.pvcs as Data | undefined));
  set("content", mergeContent(template.content, spec.content as Content | undefined));
  set("services", shallowMerge(template.services, spec.services as Data | undefined));
  set("container", mergeContainer(template.container, spec.container as ContainerConfig | undefined));
  set("system", shallowMerge(template.system, spec.system as Data | undefined));
  set("timeouts", shallowMerge(template.timeouts, spec.timeouts as Data | undefined));
  set("setup", append(template.setup, spec.setup as Step[] | undefined));
  set("steps", append(template.steps, spec.steps as Step[] | undefined));
  set("after", append(spec.after as Step[] | undefined, template.after));
  return out;
};

/** Step-level `use`: container, content, services merge; template steps wrap the step's. */
export const injectIntoStep = (step: Step, template: TemplateBody): Step => {
  const out: Step = { ...step };
  const content = mergeContent(template.content, step.content);
  if (content !== undefined) out.content = content;
  const container = mergeContainer(template.container, step.container);
  if (container !== undefined) out.container = container;
  const services = shallowMerge(template.services as Step["services"], step.services);
  if (services !== undefined) out.services = services;
  const setup = append(template.setup, step.setup);
  if (setup !== undefined) out.setup = setup;
  const steps = append(append(template.steps, step.steps), template.after);
  if (steps !== undefined) out.steps = steps;
  return out;
};

/** Service-level `use`: pod, content, container and pvcs merge (no steps, no services). */
export const injectIntoService = (service: Data, template: TemplateBody): Data => {
  const out: Data = { ...service };
  const pod = deepMerge(template.pod, service.pod);
  if (pod !== undefined) out.pod = pod;
  const content = mergeContent(template.content, service.content as Content | undefined);
  if (content !== undefined) out.content = content;
  const { env, envFrom, volumeMounts, resources, securityContext, ...scalars } = template.container ?? {};
  const base: ContainerConfig = { env, envFrom, volumeMounts, resources, securityContext, ...scalars };
  const container = mergeContainer(stripUndefined(base), pickContainer(service));
  Object.assign(out, container);
  const pvcs = shallowMerge(template.pvcs, service.pvcs as Data | undefined);
  if (pvcs !== undefined) out.pvcs = pvcs;
  return out;
};

const CONTAINER_KEYS = [
  "workingDir",
  "image",
  "imagePullPolicy",
  "env",
  "envFrom",
  "command",
  "args",
  "resources",
  "securityContext",
  "volumeMounts",
];

const pickContainer = (service: Data): ContainerConfig =>
  Object.fromEntries(
    CONTAINER_KEYS.filter((k) => service[k] !== undefined).map((k) => [k, service[k]]),
  ) as ContainerConfig;

const stripUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
