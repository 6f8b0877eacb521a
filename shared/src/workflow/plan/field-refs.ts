/**
 * Kubernetes downward-API env sources (`valueFrom.fieldRef`, `valueFrom.resourceFieldRef`) as
 * an Assay run answers them. Testkube's pod has these fields; an Assay run has a counterpart
 * for most of them (see `PodFields`); a field with none is refused with its reason, never set
 * to something made up.
 *
 * - `metadata.name`: the execution's name (`WORKFLOW-ID`); `metadata.uid`: the execution id;
 *   `metadata.namespace`: the environment the run belongs to.
 * - `metadata.labels['k']` / `metadata.annotations['k']`: `spec.pod.labels` / `.annotations`.
 * - `spec.nodeName`: the agent's host; `spec.serviceAccountName`: `spec.pod.serviceAccountName`,
 *   else `default`.
 * - `status.podIP(s)` / `status.hostIP(s)`: 127.0.0.1 where steps run as host processes; a
 *   container gets its address when it starts, after its environment is fixed, so a container
 *   runtime refuses them.
 * - `resourceFieldRef` `limits.*` / `requests.*` (cpu, memory, ephemeral-storage): the step's
 *   `resources`, with `divisor` (cpu rounded up, as Kubernetes does). An unset limit is the
 *   host's capacity when the agent gives it; an unset request is the limit's value when set,
 *   else 0.
 */
import type { KubeObject } from "../schema/primitives.ts";
import type { TestWorkflow } from "../schema/workflow.ts";
import type { PlanOptions } from "./types.ts";

/** What the runner knows of the run, for `fieldRef`s; the control plane plans without it. */
export interface PodFields {
  name: string;
  namespace: string;
  uid: string;
  nodeName: string;
  serviceAccountName: string;
  /** Undefined: the runtime has no address to give before a step starts (see the header). */
  podIP?: string;
  hostIP?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The host's capacity, for unset limits. */
  cpus?: number;
  memoryBytes?: number;
}

type Json = Record<string, unknown>;

/** The run's `PodFields`: the execution and `spec.pod`, with what the runner knows of its host. */
export const podFields = (workflow: TestWorkflow, options: PlanOptions): PodFields => {
  const pod: Json = isObject(workflow.spec.pod) ? workflow.spec.pod : {};
  const strings = (v: unknown): Record<string, string> =>
    isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};
  const host = options.host ?? {};
  const local = options.containers === true ? undefined : "127.0.0.1";
  const out: PodFields = {
    name: options.execution?.name || workflow.metadata.name,
    namespace: host.namespace ?? "",
    uid: options.execution?.id ?? "",
    nodeName: host.nodeName ?? "",
    serviceAccountName: typeof pod.serviceAccountName === "string" ? pod.serviceAccountName : "default",
    labels: strings(pod.labels),
    annotations: strings(pod.annotations),
  };
  if (local !== undefined) {
    out.podIP = local;
    out.hostIP = local;
  }
  if (host.cpus !== undefined) out.cpus = host.cpus;
  if (host.memoryBytes !== undefined) out.memoryBytes = host.memoryBytes;
  return out;
};

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value for `valueFrom`, or the reason there is none. */
export type FieldValue = { ok: true; value: string } | { ok: false; reason: string };

const MAP_FIELD = /^metadata\.(labels|annotations)\['([^']*)'\]$/;

/** The value of a `fieldRef.fieldPath`. */
export const fieldValue = (fieldPath: string, pod: PodFields): FieldValue => {
  const ok = (value: string): FieldValue => ({ ok: true, value });
  const mapped = MAP_FIELD.exec(fieldPath);
  if (mapped !== null) {
    const map = mapped[1] === "labels" ? pod.labels : pod.annotations;
    return ok(map[mapped[2] ?? ""] ?? "");
  }
  const simple: Record<string, string | undefined> = {
    "metadata.name": pod.name,
    "metadata.namespace": pod.namespace,
    "metadata.uid": pod.uid,
    "spec.nodeName": pod.nodeName,
    "spec.serviceAccountName": pod.serviceAccountName,
    "status.podIP": pod.podIP,
    "status.podIPs": pod.podIP,
    "status.hostIP": pod.hostIP,
    "status.hostIPs": pod.hostIP,
  };
  if (!Object.hasOwn(simple, fieldPath))
    return { ok: false, reason: `fieldRef ${fieldPath} has no counterpart in an Assay run` };
  const value = simple[fieldPath];
  if (value === undefined)
    return {
      ok: false,
      reason: `fieldRef ${fieldPath}: a container gets its address when it starts, after its environment is set`,
    };
  return ok(value);
};

const SUFFIX: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity (`500m`, `1.5`, `128Mi`) as a number, or undefined. */
export const parseQuantity = (value: unknown): number | undefined => {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([a-zA-Z]*)$/.exec(value.trim());
  if (match === null) return undefined;
  const factor = match[2] === "" ? 1 : SUFFIX[match[2] ?? ""];
  return factor === undefined ? undefined : Number(match[1]) * factor;
};

type Resources = { limits?: Record<string, unknown>; requests?: Record<string, unknown> } | undefined;

/** The value of a `resourceFieldRef` over the step's `resources`. */
export const resourceValue = (ref: Json, resources: Resources, pod: PodFields | undefined): FieldValue => {
  const resource = typeof ref.resource === "string" ? ref.resource : "";
  const [kind, name = ""] = resource.split(/\.(.*)/s);
  if ((kind !== "limits" && kind !== "requests") || !["cpu", "memory", "ephemeral-storage"].includes(name))
    return {
      ok: false,
      reason: `resourceFieldRef ${resource || "(no resource)"} is not a limit or request of cpu, memory or ephemeral-storage`,
    };
  const capacity = name === "cpu" ? pod?.cpus : name === "memory" ? pod?.memoryBytes : undefined;
  const limit = parseQuantity(resources?.limits?.[name]);
  const amount =
    kind === "limits" ? (limit ?? capacity ?? 0) : (parseQuantity(resources?.requests?.[name]) ?? limit ?? 0);
  const divisor = ref.divisor === undefined ? 1 : parseQuantity(ref.divisor);
  if (divisor === undefined || divisor <= 0)
    return {
      ok: false,
      reason: `resourceFieldRef divisor ${String(ref.divisor)} is not a positive quantity`,
    };
  // Kubernetes rounds up to a whole multiple of the divisor (at least 1 for a non-zero cpu).
  return { ok: true, value: String(Math.ceil(amount / divisor - 1e-9)) };
};

/** What `valueFromSource` needs of the planning state (context.ts's PlanContext has it). */
export interface ValueFromContext {
  pod: PodFields;
  refuse(feature: "env.valueFrom", path: string, message: string, ref?: string): void;
  require(feature: "env.valueFrom", path: string, message: string, ref?: string): boolean;
}

/**
 * The value of env `name`'s `valueFrom` (field or resource reference), or undefined after
 * recording why there is none. Secret and config map references were bound before planning
 * (credentials.ts); one still here is malformed.
 */
export const valueFromSource = (
  name: string,
  source: KubeObject,
  at: string,
  resources: Resources,
  context: ValueFromContext,
  ref: string,
): string | undefined => {
  const refuse = (reason: string) => {
    context.refuse("env.valueFrom", at, `env ${name}: ${reason}`, ref);
    return undefined;
  };
  const pod = context.pod;
  if (isObject(source.fieldRef)) {
    const path = source.fieldRef.fieldPath;
    if (typeof path !== "string") return refuse("fieldRef needs a fieldPath");
    const value = fieldValue(path, pod);
    return value.ok ? value.value : refuse(value.reason);
  }
  if (isObject(source.resourceFieldRef)) {
    const value = resourceValue(source.resourceFieldRef, resources, pod);
    return value.ok ? value.value : refuse(value.reason);
  }
  const kind = Object.keys(source)[0] ?? "valueFrom";
  if (kind === "secretKeyRef" || kind === "configMapKeyRef") {
    const key = source[kind];
    if (!isObject(key) || typeof key.name !== "string" || typeof key.key !== "string")
      return refuse(`${kind} needs a name and a key (the credential NAME.KEY is read at run time)`);
    // Not bound to a credential (bindSecretRefs) before planning: only a runner that binds
    // them declares the feature.
    const message = `env ${name} comes from ${kind} ${key.name}/${key.key}, which this planner does not bind to a credential`;
    context.require("env.valueFrom", at, message, ref);
    return undefined;
  }
  return refuse(
    `valueFrom.${kind} is not a Kubernetes source an Assay run can read (secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef)`,
  );
};
