/**
 * Resolves a run's config values against the workflow's `spec.config` parameters: unknown
 * names, missing required values, wrong types, values outside an enum, too short or long,
 * not matching `pattern`, or outside `minimum`/`maximum` are refused with the path of the
 * offending key; defaults fill the rest. Values travel as strings (as Testkube's do).
 */
import { AppError, type FieldIssue } from "@assay/shared";
import { ConfigSchema, type ParameterSchema } from "@assay/shared/workflow";
import { matchPattern } from "./linear-pattern.ts";

export interface ResolvedConfig {
  values: Record<string, string>;
  /** Names whose values must be masked in logs and stored encrypted. */
  sensitive: string[];
}

const toText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));

function checkValue(param: ParameterSchema, value: string): string[] {
  const problems: string[] = [];
  const type = param.type ?? "string";
  const number = Number(value);
  if (type === "integer" && !/^-?\d+$/.test(value.trim())) problems.push("must be an integer");
  if (type === "number" && (value.trim() === "" || !Number.isFinite(number)))
    problems.push("must be a number");
  if (type === "boolean" && value !== "true" && value !== "false") problems.push("must be true or false");
  if (param.enum && !param.enum.map(String).includes(value)) {
    problems.push(`must be one of ${param.enum.map(String).join(", ")}`);
  }
  if (param.minLength !== undefined && value.length < param.minLength) {
    problems.push(`must be at least ${param.minLength} characters long`);
  }
  if (param.maxLength !== undefined && value.length > param.maxLength) {
    problems.push(`must be at most ${param.maxLength} characters long`);
  }
  if (param.pattern !== undefined) {
    // Linear-time engine: a hostile pattern cannot stall the process (see linear-pattern.ts).
    const check = matchPattern(param.pattern, value);
    if (!check.ok)
      problems.push(
        `has an invalid pattern in the workflow (${param.pattern.slice(0, 60)}): ${check.reason}`,
      );
    else if (!check.matches) problems.push(`must match the pattern ${param.pattern}`);
  }
  if ((type === "integer" || type === "number") && Number.isFinite(number)) {
    if (param.minimum !== undefined && number < param.minimum)
      problems.push(`must be at least ${param.minimum}`);
    if (param.maximum !== undefined && number > param.maximum)
      problems.push(`must be at most ${param.maximum}`);
    if (param.exclusiveMinimum !== undefined && number <= param.exclusiveMinimum) {
      problems.push(`must be greater than ${param.exclusiveMinimum}`);
    }
    if (param.exclusiveMaximum !== undefined && number >= param.exclusiveMaximum) {
      problems.push(`must be less than ${param.exclusiveMaximum}`);
    }
    if (
      param.multipleOf !== undefined &&
      param.multipleOf !== 0 &&
      Math.abs(number % param.multipleOf) > 1e-9
    ) {
      problems.push(`must be a multiple of ${param.multipleOf}`);
    }
  }
  return problems;
}

/** Values of the run: the given ones checked, defaults for the rest. */
export function resolveConfig(
  specConfig: unknown,
  input: Record<string, string | number | boolean>,
): ResolvedConfig {
  const parsed = ConfigSchema.safeParse(specConfig ?? {});
  const params: ConfigSchema = parsed.success ? parsed.data : {};
  const issues: FieldIssue[] = [];
  const values: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input)) {
    if (!Object.hasOwn(params, name)) {
      issues.push({ path: `config.${name}`, message: "is not a parameter of this workflow" });
      continue;
    }
    values[name] = String(raw);
  }
  for (const [name, param] of Object.entries(params)) {
    if (values[name] === undefined && param.default !== undefined && param.default !== null) {
      values[name] = toText(param.default);
    }
    const value = values[name];
    if (value === undefined) {
      issues.push({ path: `config.${name}`, message: "is required (the parameter has no default)" });
      continue;
    }
    for (const message of checkValue(param, value)) issues.push({ path: `config.${name}`, message });
  }
  if (issues.length > 0) {
    const first = issues[0];
    throw new AppError("invalid_argument", `${first?.path} ${first?.message}`, { issues });
  }
  const sensitive = Object.entries(params)
    .filter(([, p]) => p.sensitive === true || p.sensitive === "true")
    .map(([name]) => name);
  return { values, sensitive };
}
