/**
 * Reading TestWorkflow documents from text (YAML or JSON, one or many documents) and from
 * already-parsed data. Nothing here throws: every problem comes back as a `FieldIssue` with a
 * path and, for text, the line and column it starts at.
 */
import type { FieldIssue } from "../errors.ts";
import { type Locate, located, toFieldIssues } from "./issues.ts";
import { relaxDocument } from "./leniency.ts";
import {
  TestWorkflow,
  TestWorkflowTemplate,
  WORKFLOW_API_VERSION,
  WORKFLOW_KINDS,
  type WorkflowDocument,
} from "./schema/workflow.ts";
import { type DocPath, readYamlDocuments } from "./yaml-source.ts";

/**
 * Outcome of reading one TestWorkflow. Warnings (`line 12: document 2 (TestWorkflowTemplate)
 * is not applied`) are worth showing but do not block.
 */
export type ParseResult =
  | { ok: true; workflow: TestWorkflow; warnings: string[] }
  | { ok: false; issues: FieldIssue[] };

/** Outcome of validating one document of either kind. */
export type DocumentResult =
  | { ok: true; document: WorkflowDocument; warnings: string[] }
  | { ok: false; issues: FieldIssue[] };

/** One document of a multi-document text, validated on its own. */
export type ParsedDocument = DocumentResult & {
  /** 0-based position among the non-empty documents. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  /** The `kind` it declares, if any (also when invalid), e.g. to skip non-workflow documents. */
  kind: string | undefined;
};

/**
 * Validate already-parsed data (e.g. a JSON request body) as a TestWorkflow or
 * TestWorkflowTemplate, chosen by its `kind`. Pass `locate` to add source positions.
 */
export const validateWorkflowDocument = (value: unknown, locate?: Locate): DocumentResult => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, issues: [located([], "a workflow document must be a YAML or JSON object", locate)] };
  }
  const forbidden = findForbiddenKeys(value, []);
  if (forbidden.length > 0) {
    return {
      ok: false,
      issues: forbidden.map((p) => located(p, "field name is not allowed", locate, "key")),
    };
  }
  const relaxed = relaxDocument(value as Record<string, unknown>, locate);
  const record = relaxed.value;
  const kind = record.kind;
  if (kind !== "TestWorkflow" && kind !== "TestWorkflowTemplate") {
    const message =
      kind === undefined
        ? `is required (${WORKFLOW_KINDS.join(" or ")})`
        : `unsupported kind ${JSON.stringify(kind)}: expected ${WORKFLOW_KINDS.join(" or ")}`;
    return { ok: false, issues: [located(["kind"], message, locate)] };
  }
  if (record.apiVersion !== WORKFLOW_API_VERSION) {
    const message = `must be "${WORKFLOW_API_VERSION}" (or left empty)`;
    return { ok: false, issues: [located(["apiVersion"], message, locate)] };
  }
  const schema = kind === "TestWorkflow" ? TestWorkflow : TestWorkflowTemplate;
  const result = schema.safeParse(record, { reportInput: true });
  if (!result.success) return { ok: false, issues: sortIssues(toFieldIssues(result.error.issues, locate)) };
  return { ok: true, document: result.data, warnings: sortIssues(relaxed.warnings).map(formatWarning) };
};

/** Validate already-parsed data as a TestWorkflow (not a template). */
export const validateWorkflow = (value: unknown, locate?: Locate): ParseResult => {
  const result = validateWorkflowDocument(value, locate);
  if (!result.ok) return result;
  if (result.document.kind !== "TestWorkflow") {
    return {
      ok: false,
      issues: [located(["kind"], "expected a TestWorkflow, not a TestWorkflowTemplate", locate)],
    };
  }
  return { ok: true, workflow: result.document, warnings: result.warnings };
};

/** Read every document of a YAML/JSON text; each is validated independently. Never throws. */
export const parseWorkflowDocuments = (text: string): ParsedDocument[] =>
  readYamlDocuments(typeof text === "string" ? text : "").map((source) => {
    const base = {
      index: source.index,
      line: source.line,
      kind: kindOf(source.value),
    };
    if (source.errors.length > 0) return { ...base, ok: false as const, issues: source.errors };
    const result = validateWorkflowDocument(source.value, source.locate);
    if (!result.ok) return { ...base, ...result };
    return { ...base, ...result, warnings: [...source.warnings.map(formatWarning), ...result.warnings] };
  });

/** Options of {@link parseWorkflowText}. */
export interface ParseWorkflowTextOptions {
  /**
   * "single" (default): the text must hold exactly one TestWorkflow; templates and other
   * documents beside it are ignored with a warning. "first": take the first TestWorkflow.
   */
  select?: "single" | "first";
}

/**
 * Read the TestWorkflow in a YAML/JSON text, as `workflow apply` does. YAML syntax errors
 * anywhere in the text fail the whole read. Never throws.
 */
export const parseWorkflowText = (text: string, options: ParseWorkflowTextOptions = {}): ParseResult => {
  const documents = parseWorkflowDocuments(text);
  const broken = documents.filter((d) => !d.ok && d.kind === undefined && hasSyntaxError(d.issues));
  if (broken.length > 0) return { ok: false, issues: broken.flatMap((d) => (d.ok ? [] : d.issues)) };
  const workflows = documents.filter((d) => d.kind === "TestWorkflow");
  if (workflows.length === 0) {
    const only = documents.length === 1 ? documents[0] : undefined;
    if (only !== undefined && !only.ok) return { ok: false, issues: only.issues };
    const message =
      documents.length === 0 ? "the text holds no document" : "the text holds no TestWorkflow document";
    return { ok: false, issues: [{ path: "kind", message, line: documents[0]?.line ?? 1 }] };
  }
  const chosen = workflows[0] as ParsedDocument;
  if ((options.select ?? "single") === "single" && workflows.length > 1) {
    const second = workflows[1] as ParsedDocument;
    const message = `expected exactly one TestWorkflow document, found ${workflows.length}`;
    return { ok: false, issues: [{ path: "kind", message, line: second.line, column: 1 }] };
  }
  if (!chosen.ok) return { ok: false, issues: chosen.issues };
  const workflow = chosen.document;
  if (workflow.kind !== "TestWorkflow") {
    return { ok: false, issues: [{ path: "kind", message: "expected a TestWorkflow", line: chosen.line }] };
  }
  const ignored = documents.filter((d) => d !== chosen).map(ignoredWarning);
  return { ok: true, workflow, warnings: [...chosen.warnings, ...ignored] };
};

const ignoredWarning = (d: ParsedDocument): string => {
  const invalid = d.ok
    ? ""
    : ` and is invalid (${d.issues[0]?.path || "document"}: ${d.issues[0]?.message ?? ""})`;
  return formatWarning({
    path: "",
    message: `document ${d.index + 1} (${d.kind ?? "no kind"}) is not applied${invalid}`,
    line: d.line,
  });
};

/** Render an issue as one line of text: `line 3: spec.steps[0]: message`. */
export const formatWarning = (issue: FieldIssue): string =>
  `${issue.line === undefined ? "" : `line ${issue.line}: `}${issue.path === "" ? "" : `${issue.path}: `}${issue.message}`;

/** Source order reads best; issues without a position keep their place at the end. */
const sortIssues = (issues: FieldIssue[]): FieldIssue[] =>
  issues
    .map((issue, i) => ({ issue, i }))
    .sort(
      (a, b) =>
        (a.issue.line ?? Number.MAX_SAFE_INTEGER) - (b.issue.line ?? Number.MAX_SAFE_INTEGER) ||
        (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
        a.i - b.i,
    )
    .map(({ issue }) => issue);

const kindOf = (value: unknown): string | undefined => {
  const kind = (value as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === "string" ? kind : undefined;
};

const hasSyntaxError = (issues: FieldIssue[]): boolean => issues.some((i) => i.path === "");

/** Keys that would touch an object's prototype when copied around; refused outright. */
const findForbiddenKeys = (value: unknown, path: PropertyKey[], depth = 0): DocPath[] => {
  if (value === null || typeof value !== "object" || depth > 200) return [];
  const found: DocPath[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      found.push(...findForbiddenKeys(item, [...path, i], depth + 1));
    });
    return found;
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") found.push([...path, key]);
    else found.push(...findForbiddenKeys((value as Record<string, unknown>)[key], [...path, key], depth + 1));
  }
  return found;
};
