/**
 * Container settings: the workflow-wide defaults (`spec.container`), a step's defaults
 * (`steps[].container`) and a step's own container (`steps[].run`, which adds `shell`).
 * Field list from Testkube's `ContainerConfig`, `Resources`, `EnvVar` and
 * `WorkflowSecurityContext`. Nested Kubernetes types (`valueFrom`, `envFrom`, capabilities,
 * volume mounts) pass through as objects: the cluster, not Assay, is their judge.
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { BoolOrExpression, IntOrString, KubeObject, Scalar } from "./primitives.ts";

/** One environment variable: a literal `value` or a Kubernetes `valueFrom` source. */
export const EnvVar = lazySchema(() =>
  z.strictObject({
    name: z.string().min(1),
    value: Scalar.optional(),
    valueFrom: KubeObject.optional(),
    /** Testkube: also expose the variable to services and parallel workers. */
    global: BoolOrExpression.optional(),
  }),
);
export type EnvVar = z.infer<typeof EnvVar>;

/** CPU / memory / other resource quantities (`cpu: 2`, `memory: 2Gi`, `cpu: 500m`). */
export const Resources = lazySchema(() =>
  z.strictObject({
    limits: z.record(z.string(), IntOrString).optional(),
    requests: z.record(z.string(), IntOrString).optional(),
  }),
);
export type Resources = z.infer<typeof Resources>;

/** Container security context (ids may be templated, hence int-or-string). */
export const SecurityContext = lazySchema(() =>
  z.strictObject({
    capabilities: KubeObject.optional(),
    privileged: BoolOrExpression.optional(),
    seLinuxOptions: KubeObject.optional(),
    windowsOptions: KubeObject.optional(),
    runAsUser: IntOrString.optional(),
    runAsGroup: IntOrString.optional(),
    runAsNonRoot: BoolOrExpression.optional(),
    readOnlyRootFilesystem: BoolOrExpression.optional(),
    allowPrivilegeEscalation: BoolOrExpression.optional(),
    procMount: z.string().optional(),
    seccompProfile: KubeObject.optional(),
    appArmorProfile: KubeObject.optional(),
  }),
);
export type SecurityContext = z.infer<typeof SecurityContext>;

/** The fields of Testkube's `ContainerConfig`, shared by `container`, `run` and services. */
export const containerShape = lazySchema(() => ({
  workingDir: z.string().optional(),
  image: z.string().optional(),
  imagePullPolicy: z.string().optional(),
  env: z.array(EnvVar).optional(),
  envFrom: z.array(KubeObject).optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  resources: Resources.optional(),
  securityContext: SecurityContext.optional(),
  volumeMounts: z.array(KubeObject).optional(),
}));

/** Container defaults (`spec.container`, `steps[].container`). */
export const ContainerConfig = lazySchema(() => z.strictObject(containerShape));
export type ContainerConfig = z.infer<typeof ContainerConfig>;

/** A step's own container (`steps[].run`): container fields plus a `shell` script. */
export const StepRun = lazySchema(() => z.strictObject({ ...containerShape, shell: z.string().optional() }));
export type StepRun = z.infer<typeof StepRun>;
