/**
 * What Testkube's API takes although its schema does not say so, taken here too with a warning
 * each, so a document that Testkube applies is not refused on the way over:
 * - an empty or missing `apiVersion` (Testkube's decoder fills it from the kind it expects);
 * - a service's `container` block, which Testkube's decoder drops (a service carries its
 *   container fields itself);
 * - `content.git.verbosity` and `content.git.retry`, which the schema validates and the agent
 *   does not apply (it clones with its own logging and retries).
 * Duplicate keys are the YAML reader's business (`yaml-source.ts`): the last one is kept there.
 */
import type { FieldIssue } from "../errors.ts";
import { type Locate, located } from "./issues.ts";
import { WORKFLOW_API_VERSION } from "./schema/workflow.ts";
import type { DocPath } from "./yaml-source.ts";

/** The document as Testkube's API would decode it, and a warning per leniency used. */
export interface Relaxed {
  value: Record<string, unknown>;
  warnings: FieldIssue[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Apply Testkube's leniencies to a document (not changed in place). */
export const relaxDocument = (record: Record<string, unknown>, locate?: Locate): Relaxed => {
  const warnings: FieldIssue[] = [];
  const value = { ...record };
  if (value.apiVersion === undefined || value.apiVersion === "" || value.apiVersion === null) {
    const said = value.apiVersion === undefined ? "is missing" : "is empty";
    warnings.push(
      located(["apiVersion"], `${said}: read as "${WORKFLOW_API_VERSION}", as Testkube does`, locate),
    );
    value.apiVersion = WORKFLOW_API_VERSION;
  }
  if (value.spec !== undefined) value.spec = walk(value.spec, ["spec"], warnings, locate);
  return { value, warnings };
};

const walk = (node: unknown, path: DocPath, warnings: FieldIssue[], locate?: Locate): unknown => {
  if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i], warnings, locate));
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const at = [...path, key];
    if (key === "services" && isRecord(child)) out[key] = relaxServices(child, at, warnings, locate);
    else if (key === "content" && isRecord(child)) out[key] = relaxContent(child, at, warnings, locate);
    else out[key] = walk(child, at, warnings, locate);
  }
  return out;
};

const relaxServices = (
  services: Record<string, unknown>,
  path: DocPath,
  warnings: FieldIssue[],
  locate?: Locate,
): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [name, service] of Object.entries(services)) {
    const at = [...path, name];
    if (!isRecord(service) || !("container" in service)) {
      out[name] = walk(service, at, warnings, locate);
      continue;
    }
    const { container: _dropped, ...rest } = service;
    const message =
      "is not a service field: ignored, as Testkube ignores it (set image, env and the other container fields on the service itself)";
    warnings.push(located([...at, "container"], message, locate, "key"));
    out[name] = walk(rest, at, warnings, locate);
  }
  return out;
};

const relaxContent = (
  content: Record<string, unknown>,
  path: DocPath,
  warnings: FieldIssue[],
  locate?: Locate,
): Record<string, unknown> => {
  const git = content.git;
  if (isRecord(git)) {
    for (const field of ["verbosity", "retry"] as const) {
      if (git[field] === undefined) continue;
      const message = "is accepted and not applied: the agent clones with its own logging and retries";
      warnings.push(located([...path, "git", field], message, locate, "key"));
    }
  }
  return walk(content, path, warnings, locate) as Record<string, unknown>;
};
