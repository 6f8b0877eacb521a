/**
 * Credentials in a workflow: the `credential("name")` and `secret("name", "key")` expression
 * functions, and the Kubernetes secret references Testkube documents use, which are rewritten
 * into those calls before planning:
 *
 * - `env[].valueFrom.secretKeyRef {name, key}` -> `value: {{ secret("name", "key") }}`
 * - `content.git.{username,token,sshKey}From.secretKeyRef` -> `username`/`token`/`sshKey`
 * - `content.files[].contentFrom.secretKeyRef` -> `content`
 * - `envFrom[].secretRef {name}` -> one env variable per credential `name.KEY` (with `prefix`),
 *   after the container's own `env`, which wins as in Kubernetes.
 * - `spec.pod.volumes[]` of kind `secret` / `configMap` without `items` -> `items` of every key
 *   `name.KEY` has (the planner turns items into files, see plan/pod-volumes.ts).
 *
 * A secret's `name` and `key` map to the credential `name.key`, or else `name`. Other sources
 * (config maps, field refs) are left for the planner to report. Pure and browser-safe: the
 * agent binds real values; the control plane plans with placeholders.
 */
import type { ExpressionFunction } from "./expressions/index.ts";
import { toText, type Value } from "./expressions/values.ts";
import type { TestWorkflow } from "./schema/workflow.ts";

/** One use of a credential in the workflow. */
export interface CredentialUse {
  /** Names to try, in order (`name.key`, then `name`). */
  candidates: string[];
  /** How the document names it, for messages. */
  label: string;
  /** An optional Kubernetes reference: unset means empty, not a failed run. */
  optional: boolean;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const literal = (text: string) => JSON.stringify(text);

/** `{{ secret(...) }}` for a `secretKeyRef`, or undefined when the source is something else. */
const secretCall = (source: Json): string | undefined => {
  if (!isObject(source) || !isObject(source.secretKeyRef)) return undefined;
  const { name, key, optional } = source.secretKeyRef;
  if (typeof name !== "string" || typeof key !== "string") return undefined;
  return `{{ secret(${literal(name)}, ${literal(key)}${optional === true ? ", true" : ""}) }}`;
};

const FROM_FIELDS: ReadonlyArray<[from: string, to: string]> = [
  ["usernameFrom", "username"],
  ["tokenFrom", "token"],
  ["sshKeyFrom", "sshKey"],
  ["contentFrom", "content"],
];

/**
 * The workflow with its Kubernetes secret references rewritten (see the module header), and
 * the secret names `envFrom` uses whole. `keysOf` lists the keys of such a secret (the
 * suffixes of credentials `name.KEY`); without it those entries are dropped, for a first pass
 * that only collects what to fetch.
 */
export function bindSecretRefs(
  workflow: TestWorkflow,
  keysOf?: (secretName: string) => string[],
): { workflow: TestWorkflow; wholeSecrets: Array<{ name: string; optional: boolean }> } {
  const wholeSecrets: Array<{ name: string; optional: boolean }> = [];
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(node)) out[k] = visit(v);
    if (typeof out.name === "string" && "valueFrom" in out) {
      const call = secretCall(out.valueFrom);
      if (call !== undefined) {
        delete out.valueFrom;
        out.value = call;
      }
    }
    for (const [from, to] of FROM_FIELDS) {
      const call = from in out ? secretCall(out[from]) : undefined;
      if (call !== undefined) {
        delete out[from];
        out[to] = call;
      }
    }
    if (Array.isArray(out.envFrom)) {
      const added: Json[] = [];
      const kept = out.envFrom.filter((source) => {
        if (!isObject(source) || !isObject(source.secretRef) || typeof source.secretRef.name !== "string")
          return true;
        const name = source.secretRef.name;
        const optional = source.secretRef.optional === true;
        wholeSecrets.push({ name, optional });
        const prefix = typeof source.prefix === "string" ? source.prefix : "";
        for (const key of keysOf?.(name) ?? [])
          added.push({ name: `${prefix}${key}`, value: `{{ secret(${literal(name)}, ${literal(key)}) }}` });
        return false;
      });
      if (kept.length === 0) delete out.envFrom;
      else out.envFrom = kept;
      // Appended (the paths of the document's own entries stay as written), minus names the
      // container's own `env` sets: those win, as in Kubernetes.
      const own = Array.isArray(out.env) ? out.env : [];
      const taken = new Set(own.map((e) => (isObject(e) ? e.name : undefined)));
      const extra = added.filter((e) => isObject(e) && !taken.has(e.name));
      if (extra.length > 0) out.env = [...own, ...extra];
    }
    return out;
  };
  const bound = visit(workflow) as TestWorkflow;
  listVolumeKeys(bound, wholeSecrets, keysOf);
  return { workflow: bound, wholeSecrets };
}

/**
 * `spec.pod.volumes` of kind secret or configMap without `items` take every key their source
 * has: the source is fetched whole, and (with `keysOf`) the keys become `items`.
 */
const listVolumeKeys = (
  workflow: TestWorkflow,
  wholeSecrets: Array<{ name: string; optional: boolean }>,
  keysOf: ((secretName: string) => string[]) | undefined,
) => {
  const volumes = workflow.spec.pod?.volumes;
  if (!Array.isArray(volumes)) return;
  for (const volume of volumes) {
    if (!isObject(volume)) continue;
    for (const [kind, field] of [
      ["secret", "secretName"],
      ["configMap", "name"],
    ] as const) {
      const source = volume[kind];
      if (!isObject(source) || typeof source[field] !== "string" || Array.isArray(source.items)) continue;
      const name = source[field];
      wholeSecrets.push({ name, optional: source.optional === true });
      if (keysOf !== undefined) source.items = keysOf(name).map((key) => ({ key, path: key }));
    }
  }
};

/**
 * `credential(name)` and `secret(name, key[, optional])` over `lookup` (undefined: not set).
 * Every call is reported to `onUse`. A credential that is not set is an error, unless it is
 * optional or `placeholder` is given (a first pass that only collects names).
 */
export function credentialFunctions(options: {
  lookup: (name: string) => string | undefined;
  onUse?: (use: CredentialUse) => void;
  placeholder?: string;
}): Record<string, ExpressionFunction> {
  const find = (use: CredentialUse): string => {
    options.onUse?.(use);
    for (const name of use.candidates) {
      const value = options.lookup(name);
      if (value !== undefined) return value;
    }
    if (options.placeholder !== undefined) return options.placeholder;
    if (use.optional) return "";
    throw new Error(`credential ${use.label} is not set`);
  };
  const text = (args: Value[], i: number, fn: string) => {
    const value = args[i];
    if (typeof value !== "string" || value === "")
      throw new Error(`${fn}() argument ${i + 1} must be a name`);
    return value;
  };
  return {
    credential: (args) => {
      if (args.length !== 1) throw new Error(`credential() expects 1 argument, ${args.length} given`);
      const name = text(args, 0, "credential");
      return find({ candidates: [name], label: JSON.stringify(name), optional: false });
    },
    secret: (args) => {
      if (args.length < 2 || args.length > 3)
        throw new Error(`secret() expects 2 or 3 arguments, ${args.length} given`);
      const name = text(args, 0, "secret");
      const key = text(args, 1, "secret");
      const optional = args.length === 3 && toText(args[2] as Value) === "true";
      return find({
        candidates: [`${name}.${key}`, name],
        label: `${JSON.stringify(`${name}.${key}`)} (secret ${name}, key ${key})`,
        optional,
      });
    },
  };
}
