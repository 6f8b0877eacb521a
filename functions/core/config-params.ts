/**
 * Resolves a run's config values against the workflow's `spec.config` parameters: unknown names,
 * missing required values, wrong types and values outside an enum are refused with the path of
 * the offending key; defaults fill the rest. Values travel as strings (as Testkube's do).
 */
import { AppError, type FieldIssue } from "@assay/shared";

interface ParameterSpec {
  type?: string;
  default?: unknown;
  enum?: unknown[];
  sensitive?: boolean;
}

export interface ResolvedConfig {
  values: Record<string, string>;
  /** Names whose values must be masked in logs. */
  sensitive: string[];
}

const asParameters = (config: unknown): Record<string, ParameterSpec> =>
  config && typeof config === "object" ? (config as Record<string, ParameterSpec>) : {};

function checkType(type: string | undefined, value: string): string | undefined {
  switch (type) {
    case "integer":
      return /^-?\d+$/.test(value) ? undefined : "must be an integer";
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? undefined : "must be a number";
    case "boolean":
      return value === "true" || value === "false" ? undefined : "must be true or false";
    default:
      return undefined;
  }
}

export function resolveConfig(
  specConfig: unknown,
  input: Record<string, string | number | boolean>,
): ResolvedConfig {
  const params = asParameters(specConfig);
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
      values[name] = typeof param.default === "string" ? param.default : JSON.stringify(param.default);
    }
    const value = values[name];
    if (value === undefined) {
      issues.push({ path: `config.${name}`, message: "is required (the parameter has no default)" });
      continue;
    }
    const typeProblem = checkType(param.type, value);
    if (typeProblem) issues.push({ path: `config.${name}`, message: typeProblem });
    if (param.enum && !param.enum.map(String).includes(value)) {
      issues.push({ path: `config.${name}`, message: `must be one of ${param.enum.map(String).join(", ")}` });
    }
  }
  if (issues.length > 0) {
    const first = issues[0];
    throw new AppError("invalid_argument", `${first?.path} ${first?.message}`, { issues });
  }
  const sensitive = Object.entries(params)
    .filter(([, p]) => p.sensitive === true)
    .map(([name]) => name);
  return { values, sensitive };
}
