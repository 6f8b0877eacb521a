/**
 * Value shapes shared by the TestWorkflow schema.
 *
 * Testkube lets most values be templated with `{{ ... }}` expressions that are resolved when an
 * execution is scheduled, so a field that ends up a number or a boolean may be written as a
 * string. The helpers below accept exactly that: the literal type, or a string that is an
 * expression (or, for numbers, a numeric string). Fields that Testkube itself types as
 * int-or-string (`ConfigValue`) accept any string.
 */
import * as z from "zod";
import { lazySchema } from "../../lazy-schema.ts";
import { isValidDuration, parseDuration } from "../duration.ts";

/** True when `text` contains a `{{ ... }}` template expression. */
export const hasExpression = (text: string): boolean => /\{\{[\s\S]*?\}\}/.test(text);

/** A map of string to string (labels, annotations, tags). Scalars are accepted as Kubernetes' YAML does. */
export const StringMap = lazySchema(() => z.record(z.string(), z.string()));

/** Testkube's `ConfigValue` / `intstr.IntOrString`: an integer, a number or any string. */
export const IntOrString = lazySchema(() => z.union([z.number(), z.string()]));
export type IntOrString = z.infer<typeof IntOrString>;

/**
 * An integer field that may be templated: an integer, a numeric string, or an expression string.
 * `count`-like fields whose Testkube type is an expression accept any string instead (IntOrString).
 */
export const IntOrExpression = lazySchema(() =>
  z.union([
    z.number().int(),
    z
      .string()
      .refine(
        (s) => /^\s*-?\d+\s*$/.test(s) || hasExpression(s),
        "expected an integer or a {{ expression }}",
      ),
  ]),
);
export type IntOrExpression = z.infer<typeof IntOrExpression>;

/** A boolean field that may be templated: `true`/`false`, their string forms, or an expression. */
export const BoolOrExpression = lazySchema(() =>
  z.union([
    z.boolean(),
    z
      .string()
      .refine(
        (s) => s === "true" || s === "false" || hasExpression(s),
        "expected a boolean or a {{ expression }}",
      ),
  ]),
);
export type BoolOrExpression = z.infer<typeof BoolOrExpression>;

/** A Go-style duration ("1h30m", "10s", "500ms") or an expression that yields one. */
export const DurationString = lazySchema(() =>
  z
    .string({ error: (issue) => (issue.input === undefined ? undefined : DURATION_HINT) })
    .refine((s) => isValidDuration(s) || hasExpression(s), { error: (issue) => durationError(issue.input) }),
);

const DURATION_HINT = 'expected a duration such as "30s", "1h30m" or "500ms"';

const durationError = (input: unknown): string => {
  const result = parseDuration(String(input));
  return result.ok ? DURATION_HINT : result.error;
};

/**
 * A scalar written where Testkube expects text (an env value, a template config value). YAML
 * turns `8080` or `true` into non-strings; Kubernetes would coerce some of these, so accept them.
 */
export const Scalar = lazySchema(() => z.union([z.string(), z.number(), z.boolean()]));
export type Scalar = z.infer<typeof Scalar>;

/**
 * Testkube's `DynamicList`: a static list of values, or an expression that yields one
 * (`matrix.browser: 'config.browsers'`, `shards.files: 'glob("tests/**")'`).
 */
export const DynamicList = lazySchema(() =>
  z.union([z.array(z.unknown()), z.string(), z.number(), z.boolean()]),
);
export type DynamicList = z.infer<typeof DynamicList>;

/**
 * A Kubernetes object that Testkube passes through to the cluster untouched (volumes, probes,
 * affinity, `valueFrom` sources...). Validating every Kubernetes type here would only reject
 * documents the cluster accepts, so any object is allowed.
 */
export const KubeObject = lazySchema(() => z.record(z.string(), z.unknown()));
export type KubeObject = z.infer<typeof KubeObject>;

/** Testkube's `common.Target`: which runner (agent) an execution lands on. */
export const Target = lazySchema(() =>
  z.strictObject({
    match: z.record(z.string(), z.array(z.string())).optional(),
    not: z.record(z.string(), z.array(z.string())).optional(),
    replicate: z.array(z.string()).optional(),
  }),
);
export type Target = z.infer<typeof Target>;
