/**
 * Turning zod's validation issues into Assay's `FieldIssue`s: one readable path per problem
 * (`spec.steps[2].rnu`), a message a person can act on, and the source position when known.
 * Unknown fields get one issue each, at the key itself.
 */
import type { z } from "zod";
import type { FieldIssue } from "../errors.ts";

/** A path into a YAML document: keys and sequence indexes, outermost first. */
export type DocPath = readonly PropertyKey[];

/** Finds the source position of a path, when the input was text. */
export type Locate = (path: DocPath, at?: "key" | "value") => { line: number; column: number } | undefined;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Format a path the way users write it: `spec.steps[2].run`, `spec.services["my.db"].image`. */
export const formatPath = (path: DocPath): string => {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = String(segment);
      out += PLAIN_KEY.test(key) ? (out === "" ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
};

/** Convert zod issues to field issues, locating each one when `locate` is given. */
export const toFieldIssues = (issues: readonly z.core.$ZodIssue[], locate?: Locate): FieldIssue[] => {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push(located([...issue.path, key], "unknown field", locate, "key"));
      continue;
    }
    out.push(located(issue.path, describe(issue), locate, "value"));
  }
  return out;
};

/** A field issue at `path`, with the source position when `locate` finds one. */
export const located = (
  path: DocPath,
  message: string,
  locate?: Locate,
  at: "key" | "value" = "value",
): FieldIssue => {
  const position = locate?.(path, at);
  return position === undefined
    ? { path: formatPath(path), message }
    : { path: formatPath(path), message, line: position.line, column: position.column };
};

const describe = (issue: z.core.$ZodIssue): string => {
  // A schema's own wording (`error: "..."`, refinements) beats the generic one.
  if (!issue.message.startsWith("Invalid input") && issue.code !== "invalid_union") return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? "is required"
        : `expected ${issue.expected}, got ${kindOf(issue.input)}`;
    case "invalid_union":
      return describeUnion(issue);
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
};

/** Unions are "a number or an expression" and the like: say what was expected, or the refinement's words. */
const describeUnion = (issue: z.core.$ZodIssueInvalidUnion): string => {
  const custom = issue.errors.flat().find((e) => e.code === "custom" && e.path.length === 0);
  if (custom !== undefined) return custom.message;
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const e of branch) if (e.code === "invalid_type" && e.path.length === 0) expected.add(e.expected);
  }
  const got = issue.input === undefined ? "" : `, got ${kindOf(issue.input)}`;
  return expected.size > 0 ? `expected ${[...expected].join(" or ")}${got}` : issue.message;
};

const kindOf = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
};
