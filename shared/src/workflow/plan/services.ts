/**
 * Planning `services` (workflow-level and per step): each service becomes a node of kind
 * `service` in the step tree, so its output is its own step in the log and its state is
 * visible. A service fanned out with `count` / `matrix` / `shards` is a group node whose
 * children are the instances (`r2.s1.1`, `r2.s1.2`); see types.ts for the ref scheme. One whose
 * fan-out reads run-time values (`shards` from `glob()`) gets one instance slot per possible
 * instance and `service.fanOut` for the runner, as parallel workers do.
 *
 * A service is planned like a step (container defaults inherited, env and `{{ }}` resolved,
 * host-runner warnings) with its readiness probe translated from the Kubernetes shape. Of its
 * owner's environment a service sees only the `global: true` variables (see isolatedDefaults).
 */
import type { Value } from "../expressions/index.ts";
import type { KubeObject } from "../schema/primitives.ts";
import type { ServiceSpec } from "../schema/services.ts";
import type { Step } from "../schema/steps.ts";
import { type ContainerState, forIsolatedUnit } from "./container.ts";
import type { PlanContext } from "./context.ts";
import { deferStrategy, describeInstance, expandStrategy, hasFanOut } from "./fanout.ts";
import { resolveBoolean, resolveDurationMs } from "./resolve.ts";
import type { PlannedFanOut, PlannedProbe, PlannedStep } from "./types.ts";

/** Plans one step every node: a step planner passed in to avoid an import cycle with step.ts. */
export type PlanStepFn = (
  step: Step,
  at: { ref: string; path: string; phase: PlannedStep["phase"]; parentRef?: string },
  inherited: ContainerState,
  context: PlanContext,
) => PlannedStep;

/** Where the services block sits: the owning step's ref ("" at the workflow level) and path. */
export interface ServicesPosition {
  ownerRef: string;
  path: string;
}

/** Plans a `services` block into service nodes (empty when there is none). */
export const planServices = (
  services: Record<string, ServiceSpec> | undefined,
  at: ServicesPosition,
  inherited: ContainerState,
  context: PlanContext,
  planStep: PlanStepFn,
): PlannedStep[] => {
  const entries = Object.entries(services ?? {});
  if (entries.length === 0) return [];
  context.require("services", at.path, "services are not started by this agent", at.ownerRef || undefined);
  const defaults = isolatedDefaults(inherited, context);
  return entries.map(([name, spec], k) => {
    const ref = at.ownerRef === "" ? `s${k + 1}` : `${at.ownerRef}.s${k + 1}`;
    const path = `${at.path}.${name}`;
    const parentRef = at.ownerRef === "" ? undefined : at.ownerRef;
    const instance = (childRef: string, childParent: string | undefined, variables?: Record<string, Value>) =>
      planInstance(
        name,
        spec,
        { ref: childRef, path, parentRef: childParent },
        defaults,
        context,
        planStep,
        variables,
      );
    if (!hasFanOut(spec)) return instance(ref, parentRef);
    const deferred = deferStrategy(spec, context);
    const fanOut = deferred === undefined ? expandStrategy(spec, context) : deferred;
    const group: PlannedStep = {
      kind: "service",
      ref,
      name,
      phase: "setup",
      env: {},
      condition: "passed",
      optional: false,
      negative: false,
      steps: [],
      warnings: [],
      service: { name },
    };
    if (parentRef !== undefined) group.parentRef = parentRef;
    if (!fanOut.ok) {
      context.refuse("services", path, `service ${name}: ${fanOut.reason}`, ref);
      return group;
    }
    if ("slots" in fanOut) {
      // Known only when the owner is reached: instance slots for the runner to fill (fanout.ts).
      group.service = { name, fanOut: fanOut.fanOut as PlannedFanOut };
      group.steps = Array.from({ length: fanOut.slots }, (_, i) => {
        const node = instance(`${ref}.${i + 1}`, ref);
        node.name = `${name} (instance ${i + 1})`;
        return node;
      });
      return group;
    }
    group.steps = fanOut.instances.map((variables, i) => {
      const node = instance(`${ref}.${i + 1}`, ref, variables);
      node.name = `${name} (${describeInstance(variables)})`;
      return node;
    });
    return group;
  });
};

const planInstance = (
  name: string,
  spec: ServiceSpec,
  at: { ref: string; path: string; parentRef: string | undefined },
  inherited: ContainerState,
  context: PlanContext,
  planStep: PlanStepFn,
  variables?: Record<string, Value>,
): PlannedStep => {
  const scoped = variables === undefined ? context : context.withScope(variables);
  const step: Step = {
    name,
    run: {
      ...(spec.shell === undefined ? {} : { shell: spec.shell }),
      ...pick(spec, ["workingDir", "image", "imagePullPolicy", "env", "envFrom", "command", "args"]),
      ...pick(spec, ["resources", "securityContext", "volumeMounts"]),
    },
  };
  if (spec.content !== undefined) step.content = spec.content;
  const position = { ref: at.ref, path: at.path, phase: "setup" as const };
  const node = planStep(
    step,
    at.parentRef === undefined ? position : { ...position, parentRef: at.parentRef },
    inherited,
    scoped,
  );
  node.kind = "service";
  node.service = { name };
  if (variables !== undefined) node.variables = variables;
  if (spec.timeout !== undefined) {
    const timeout = resolveDurationMs(spec.timeout, scoped);
    if (timeout.ok) node.service.readyTimeoutMs = timeout.value;
    else context.refuse("expressions", `${at.path}.timeout`, `timeout: ${timeout.reason}`, at.ref);
  }
  if (spec.readinessProbe !== undefined) {
    const probe = planProbe(spec.readinessProbe, scoped);
    if (probe.ok) node.service.readinessProbe = probe.value;
    else context.refuse("services", `${at.path}.readinessProbe`, probe.reason, at.ref);
  }
  if (spec.pod !== undefined || spec.pvcs !== undefined)
    node.warnings.push("pod and pvcs of a service are not used by the process runner");
  if (spec.transfer !== undefined)
    node.warnings.push(
      "transfer is not needed by the process runner: services share the execution's workspace",
    );
  return node;
};

/**
 * The container defaults a service or parallel worker starts from: its owner's, with only the
 * `global: true` environment (Testkube runs them in pods of their own). A `global` written as an
 * expression that cannot be resolved is reported and taken as false.
 */
export const isolatedDefaults = (inherited: ContainerState, context: PlanContext): ContainerState => {
  const paths = new Map<boolean | string, string>();
  for (const entry of inherited.env.values())
    if (entry.global !== undefined) paths.set(entry.global, entry.path);
  return forIsolatedUnit(inherited, (value) => {
    if (typeof value === "boolean") return value;
    const resolved = resolveBoolean(value, context);
    if (resolved.ok) return resolved.value;
    context.refuse("expressions", `${paths.get(value) ?? "env"}.global`, `global: ${resolved.reason}`);
    return false;
  });
};

const pick = <T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> => {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
};

type ProbeResult = { ok: true; value: PlannedProbe } | { ok: false; reason: string };

/** Translates a Kubernetes readiness probe (`tcpSocket`, `httpGet`, `exec` and the timings). */
export const planProbe = (probe: KubeObject, context: PlanContext): ProbeResult => {
  const seconds = (key: string, fallback: number): number => {
    const raw = probe[key];
    const n = typeof raw === "string" ? Number(context.text(raw, key)) : typeof raw === "number" ? raw : NaN;
    return Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  const out: PlannedProbe = {
    initialDelayMs: seconds("initialDelaySeconds", 0) * 1000,
    periodMs: Math.max(1, seconds("periodSeconds", 10)) * 1000,
    timeoutMs: Math.max(1, seconds("timeoutSeconds", 1)) * 1000,
    failureThreshold: Math.max(1, Math.floor(seconds("failureThreshold", 3))),
  };
  const object = (key: string): Record<string, unknown> | undefined => {
    const value = probe[key];
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  };
  const port = (value: unknown): number | undefined => {
    const n = typeof value === "string" ? Number(context.text(value, "port")) : value;
    return typeof n === "number" && Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
  };
  const str = (value: unknown, fallback: string) =>
    typeof value === "string" ? context.text(value, "probe") : fallback;
  const tcp = object("tcpSocket");
  const http = object("httpGet");
  const exec = object("exec");
  if (tcp !== undefined) {
    const p = port(tcp.port);
    if (p === undefined) return { ok: false, reason: "readinessProbe.tcpSocket.port must be a port number" };
    out.tcp = { host: str(tcp.host, "127.0.0.1"), port: p };
  } else if (http !== undefined) {
    const p = port(http.port);
    if (p === undefined) return { ok: false, reason: "readinessProbe.httpGet.port must be a port number" };
    const headers: Record<string, string> = {};
    if (Array.isArray(http.httpHeaders)) {
      for (const h of http.httpHeaders as Array<{ name?: unknown; value?: unknown }>) {
        if (typeof h?.name === "string") headers[h.name] = String(h.value ?? "");
      }
    }
    const scheme = str(http.scheme, "HTTP").toLowerCase() === "https" ? "https" : "http";
    out.http = { scheme, host: str(http.host, "127.0.0.1"), port: p, path: str(http.path, "/"), headers };
  } else if (exec !== undefined && Array.isArray(exec.command) && exec.command.length > 0) {
    out.exec = { command: exec.command.map((c) => context.text(String(c), "probe")) };
  } else {
    return {
      ok: false,
      reason: "readinessProbe needs tcpSocket, httpGet or exec (grpc probes are not supported)",
    };
  }
  return { ok: true, value: out };
};
