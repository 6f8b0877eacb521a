/**
 * Credentials in a workflow: the `credential("name")` and `secret("name", "key")` expression
 * functions, and the Kubernetes secret references Testkube documents use, which are rewritten
 * into those calls before planning:
 *
 * - `env[].valueFrom.secretKeyRef {name, key}` -> `value: {{ secret("name", "key") }}`
 * - `env[].valueFrom.configMapKeyRef {name, key}` -> `value: {{ configMap("name", "key") }}`
 * - `content.git.{username,token,sshKey}From.secretKeyRef` -> `username`/`token`/`sshKey`
 * - `content.files[].contentFrom.secretKeyRef` (or `.configMapKeyRef`) -> `content`
 * - `envFrom[].secretRef {name}` / `envFrom[].configMapRef {name}` -> one env variable per
 *   credential `name.KEY` (with `prefix`), after the container's own `env`, which wins as in
 *   Kubernetes.
 * - `spec.pod.volumes[]` of kind `secret` / `configMap` without `items` -> `items` of every key
 *   `name.KEY` has (the planner turns items into files, see plan/pod-volumes.ts).
 *
 * A secret's (or config map's) `name` and `key` map to the credential `name.key`, or else
 * `name`; config maps are meant for variable credentials, but either kind answers. Field
 * references are left for the planner (plan/field-refs.ts). Pure and browser-safe: the agent
 * binds real values; the control plane plans with placeholders.
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

/** A Kubernetes source of credentials: a secret or a config map. */
export type CredentialSource = "secret" | "configMap";

/** The expression reading key `key` of secret or config map `name`. */
const call = (kind: CredentialSource, name: string, key: string, optional = false) =>
  `{{ ${kind}(${literal(name)}, ${literal(key)}${optional ? ", true" : ""}) }}`;

/**
 * `{{ secret(...) }}` for a `secretKeyRef`, `{{ configMap(...) }}` for a `configMapKeyRef`
 * (the latter only where `configMaps` allows: env values and file contents), or undefined.
 */
const secretCall = (source: Json, configMaps = false): string | undefined => {
  if (!isObject(source)) return undefined;
  const [kind, ref] = isObject(source.secretKeyRef)
    ? ["secret" as const, source.secretKeyRef]
    : configMaps && isObject(source.configMapKeyRef)
      ? ["configMap" as const, source.configMapKeyRef]
      : [undefined, undefined];
  if (kind === undefined) return undefined;
  const { name, key, optional } = ref;
  if (typeof name !== "string" || typeof key !== "string") return undefined;
  return call(kind, name, key, optional === true);
};

/** `envFrom` entry `source` as a whole secret or config map, or undefined. */
const wholeSource = (source: Json): WholeSource | undefined => {
  if (!isObject(source)) return undefined;
  for (const [field, kind] of [
    ["secretRef", "secret"],
    ["configMapRef", "configMap"],
  ] as const) {
    const ref = source[field];
    if (isObject(ref) && typeof ref.name === "string")
      return { name: ref.name, optional: ref.optional === true, kind };
  }
  return undefined;
};

/** A secret or config map taken whole (`envFrom`, a volume without `items`). */
export interface WholeSource {
  name: string;
  optional: boolean;
  kind: CredentialSource;
}

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
): { workflow: TestWorkflow; wholeSecrets: WholeSource[] } {
  const wholeSecrets: WholeSource[] = [];
  const visit = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(node)) out[k] = visit(v);
    if (typeof out.name === "string" && "valueFrom" in out) {
      const read = secretCall(out.valueFrom, true);
      if (read !== undefined) {
        delete out.valueFrom;
        out.value = read;
      }
    }
    for (const [from, to] of FROM_FIELDS) {
      const read = from in out ? secretCall(out[from], from === "contentFrom") : undefined;
      if (read !== undefined) {
        delete out[from];
        out[to] = read;
      }
    }
    if (Array.isArray(out.envFrom)) {
      const added: Json[] = [];
      const kept = out.envFrom.filter((source) => {
        const whole = wholeSource(source);
        if (whole === undefined) return true;
        wholeSecrets.push(whole);
        const prefix = isObject(source) && typeof source.prefix === "string" ? source.prefix : "";
        for (const key of keysOf?.(whole.name) ?? [])
          added.push({ name: `${prefix}${key}`, value: call(whole.kind, whole.name, key) });
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
  wholeSecrets: WholeSource[],
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
      wholeSecrets.push({ name, optional: source.optional === true, kind });
      if (keysOf !== undefined) source.items = keysOf(name).map((key) => ({ key, path: key }));
    }
  }
};

/**
 * `credential(name)`, `secret(name, key[, optional])` and `configMap(name, key[, optional])`
 * (the same lookup, named for messages) over `lookup` (undefined: not set).
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
  const keyOf = (fn: CredentialSource, args: Value[]) => {
    if (args.length < 2 || args.length > 3)
      throw new Error(`${fn}() expects 2 or 3 arguments, ${args.length} given`);
    const name = text(args, 0, fn);
    const key = text(args, 1, fn);
    const optional = args.length === 3 && toText(args[2] as Value) === "true";
    const what = fn === "secret" ? "secret" : "config map";
    return find({
      candidates: [`${name}.${key}`, name],
      label: `${JSON.stringify(`${name}.${key}`)} (${what} ${name}, key ${key})`,
      optional,
    });
  };
  return {
    credential: (args) => {
      if (args.length !== 1) throw new Error(`credential() expects 1 argument, ${args.length} given`);
      const name = text(args, 0, "credential");
      return find({ candidates: [name], label: JSON.stringify(name), optional: false });
    },
    secret: (args) => keyOf("secret", args),
    configMap: (args) => keyOf("configMap", args),
  };
}
