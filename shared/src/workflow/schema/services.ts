/**
 * Accompanying services (`spec.services`, `steps[].services`): long-running containers
 * started before the steps (databases, browsers, load generators), optionally fanned out with
 * `count` / `matrix` / `shards`, with a readiness probe and a timeout to become ready.
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { TemplateRef } from "./config.ts";
import { containerShape } from "./container.ts";
import { Content } from "./content.ts";
import { BoolOrExpression, DurationString, DynamicList, IntOrString, KubeObject } from "./primitives.ts";
import { Pvcs } from "./scheduling.ts";

/** Fan-out of services, parallel workers and executed workflows (Testkube's `StepExecuteStrategy`). */
export const strategyShape = lazySchema(() => ({
  /** Parameter name -> values; one instance per combination. */
  matrix: z.record(z.string(), DynamicList).optional(),
  /** Number of sharded instances (a number or an expression). */
  count: IntOrString.optional(),
  /** Upper bound of instances when the shards run out of values. */
  maxCount: IntOrString.optional(),
  /** Parameter name -> values distributed across the instances. */
  shards: z.record(z.string(), DynamicList).optional(),
}));

/** Files copied from the main container into a worker or service (`transfer[]`). */
export const TransferSpec = lazySchema(() =>
  z.strictObject({
    from: z.string(),
    files: DynamicList.optional(),
    to: z.string().optional(),
    mount: BoolOrExpression.optional(),
  }),
);
export type TransferSpec = z.infer<typeof TransferSpec>;

/** Fields of a service that does not include templates (Testkube's `IndependentServiceSpec`). */
const independentServiceShape = lazySchema(() => ({
  ...strategyShape,
  ...containerShape,
  shell: z.string().optional(),
  description: z.string().optional(),
  /** Whether to keep the service's logs: an expression (`always`, `failed`...), default false. */
  logs: z.union([z.string(), z.boolean()]).optional(),
  /** Longest wait for readiness. */
  timeout: DurationString.optional(),
  transfer: z.array(TransferSpec).optional(),
  content: Content.optional(),
  pod: KubeObject.optional(),
  /** `OnFailure` or `Never`. */
  restartPolicy: z.string().optional(),
  /** A Kubernetes probe (`exec`, `httpGet`, `tcpSocket`, `periodSeconds`...). */
  readinessProbe: KubeObject.optional(),
  pvcs: Pvcs.optional(),
}));

/** A service inside a TestWorkflowTemplate. */
export const IndependentServiceSpec = lazySchema(() => z.strictObject(independentServiceShape));
export type IndependentServiceSpec = z.infer<typeof IndependentServiceSpec>;

/** A service inside a TestWorkflow: may also `use` templates (e.g. `distribute/evenly`). */
export const ServiceSpec = lazySchema(() =>
  z.strictObject({
    ...independentServiceShape,
    use: z.array(TemplateRef).optional(),
  }),
);
export type ServiceSpec = z.infer<typeof ServiceSpec>;
