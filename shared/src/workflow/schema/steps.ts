/**
 * Steps and the workflow spec, which are mutually recursive: a step has `setup`/`steps`
 * children and a `parallel` block, and a parallel block carries a whole workflow spec of its
 * own (config, container, services, setup/steps/after...). The recursive types are declared
 * as interfaces over the inferred flat part, and the schemas recurse through `z.lazy`.
 *
 * Two variants mirror Testkube: steps of a TestWorkflow may `use` templates and run a
 * `template`; steps inside a TestWorkflowTemplate ("independent" steps) may not.
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { ConfigSchema, TemplateRef } from "./config.ts";
import { ContainerConfig, StepRun } from "./container.ts";
import { Content } from "./content.ts";
import { controlShape, operationsShape } from "./operations.ts";
import { BoolOrExpression, IntOrExpression, KubeObject } from "./primitives.ts";
import {
  ConcurrencyPolicy,
  ExecutionSchema,
  JobConfig,
  NotificationsConfig,
  PodConfig,
  Pvcs,
  SystemConfig,
  WorkflowEvent,
  WorkflowTimeouts,
} from "./scheduling.ts";
import { IndependentServiceSpec, ServiceSpec, strategyShape, TransferSpec } from "./services.ts";

/** Testkube's `TestWorkflowSpecBase`: everything in a spec except services and steps. */
export const specBaseShape = lazySchema(() => ({
  events: z.array(WorkflowEvent).optional(),
  system: SystemConfig.optional(),
  config: ConfigSchema.optional(),
  content: Content.optional(),
  container: ContainerConfig.optional(),
  job: JobConfig.optional(),
  pod: PodConfig.optional(),
  concurrency: ConcurrencyPolicy.optional(),
  notifications: NotificationsConfig.optional(),
  execution: ExecutionSchema.optional(),
  timeouts: WorkflowTimeouts.optional(),
  pvcs: Pvcs.optional(),
}));

/** Fields every step has, whichever variant (meta, control, source, defaults, operations). */
const stepShape = lazySchema(() => ({
  /** Stable identifier for expressions (`steps.<id>`): lowercase letters, digits, underscores. */
  id: z
    .string()
    .regex(/^[a-z0-9_]+$/, "must contain only lowercase letters, digits and underscores")
    .optional(),
  name: z.string().optional(),
  /** "passed" (default), "failed", "always", "never" or an expression. */
  condition: z.union([z.string(), z.boolean()]).optional(),
  pure: BoolOrExpression.optional(),
  ...controlShape,
  content: Content.optional(),
  container: ContainerConfig.optional(),
  workingDir: z.string().optional(),
  ...operationsShape,
  run: StepRun.optional(),
}));

/** Fields of a parallel block besides the embedded spec. */
const parallelShape = lazySchema(() => ({
  ...strategyShape,
  parallelism: IntOrExpression.optional(),
  failFast: BoolOrExpression.optional(),
  description: z.string().optional(),
  logs: z.union([z.string(), z.boolean()]).optional(),
  transfer: z.array(TransferSpec).optional(),
  fetch: z.array(TransferSpec.omit({ mount: true })).optional(),
  ...controlShape,
  ...operationsShape,
  run: StepRun.optional(),
  ...specBaseShape,
}));

const StepBase = lazySchema(() =>
  z.strictObject({
    ...stepShape,
    use: z.array(TemplateRef).optional(),
    template: TemplateRef.optional(),
    services: z.record(z.string(), ServiceSpec).optional(),
  }),
);
const StepParallelBase = lazySchema(() =>
  z.strictObject({
    ...parallelShape,
    use: z.array(TemplateRef).optional(),
    template: TemplateRef.optional(),
    services: z.record(z.string(), ServiceSpec).optional(),
  }),
);
const IndependentStepBase = lazySchema(() =>
  z.strictObject({
    ...stepShape,
    services: z.record(z.string(), IndependentServiceSpec).optional(),
  }),
);
const IndependentStepParallelBase = lazySchema(() =>
  z.strictObject({
    ...parallelShape,
    services: z.record(z.string(), IndependentServiceSpec).optional(),
  }),
);

/** A step of a TestWorkflow (recursive through `setup`, `steps` and `parallel`). */
export interface Step extends z.infer<typeof StepBase> {
  setup?: Step[];
  steps?: Step[];
  parallel?: StepParallel;
}

/** `steps[].parallel` in a TestWorkflow: workers fanned out, each running a whole spec. */
export interface StepParallel extends z.infer<typeof StepParallelBase> {
  setup?: Step[];
  steps?: Step[];
  after?: Step[];
}

/** A step inside a TestWorkflowTemplate: no `use` / `template`. */
export interface IndependentStep extends z.infer<typeof IndependentStepBase> {
  setup?: IndependentStep[];
  steps?: IndependentStep[];
  parallel?: IndependentStepParallel;
}

/** `parallel` inside a TestWorkflowTemplate. */
export interface IndependentStepParallel extends z.infer<typeof IndependentStepParallelBase> {
  setup?: IndependentStep[];
  steps?: IndependentStep[];
  after?: IndependentStep[];
}

const steps = <T>(schema: () => z.ZodType<T>) => z.array(z.lazy(schema)).optional();

/** Schema of {@link Step}. */
export const Step: z.ZodType<Step> = lazySchema(() =>
  StepBase.extend({
    setup: steps(() => Step),
    steps: steps(() => Step),
    parallel: z.lazy(() => StepParallel).optional(),
  }),
);

/** Schema of {@link StepParallel}. */
export const StepParallel: z.ZodType<StepParallel> = lazySchema(() =>
  StepParallelBase.extend({
    setup: steps(() => Step),
    steps: steps(() => Step),
    after: steps(() => Step),
  }),
);

/** Schema of {@link IndependentStep}. */
export const IndependentStep: z.ZodType<IndependentStep> = lazySchema(() =>
  IndependentStepBase.extend({
    setup: steps(() => IndependentStep),
    steps: steps(() => IndependentStep),
    parallel: z.lazy(() => IndependentStepParallel).optional(),
  }),
);

/** Schema of {@link IndependentStepParallel}. */
export const IndependentStepParallel: z.ZodType<IndependentStepParallel> = lazySchema(() =>
  IndependentStepParallelBase.extend({
    setup: steps(() => IndependentStep),
    steps: steps(() => IndependentStep),
    after: steps(() => IndependentStep),
  }),
);

/** `spec` of a TestWorkflow. */
export const TestWorkflowSpec = lazySchema(() =>
  z.strictObject({
    ...specBaseShape,
    use: z.array(TemplateRef).optional(),
    services: z.record(z.string(), ServiceSpec).optional(),
    setup: z.array(Step).optional(),
    steps: z.array(Step).optional(),
    after: z.array(Step).optional(),
  }),
);
export type TestWorkflowSpec = z.infer<typeof TestWorkflowSpec>;

/** `spec` of a TestWorkflowTemplate. */
export const TestWorkflowTemplateSpec = lazySchema(() =>
  z.strictObject({
    ...specBaseShape,
    services: z.record(z.string(), IndependentServiceSpec).optional(),
    setup: z.array(IndependentStep).optional(),
    steps: z.array(IndependentStep).optional(),
    after: z.array(IndependentStep).optional(),
  }),
);
export type TestWorkflowTemplateSpec = z.infer<typeof TestWorkflowTemplateSpec>;

/** Status written back by a cluster; stored as given. */
export const WorkflowStatus = KubeObject;
