/**
 * YAML (and so JSON) source handling: split a text into documents, turn each into plain data,
 * and find the line and column of any path inside a document so that validation issues point
 * at the source.
 *
 * Documents are read with YAML 1.1 scalars, as Kubernetes reads them (`0755` is octal,
 * `yes`/`on` are booleans), minus timestamps and sexagesimal numbers, which Kubernetes' decoder
 * leaves as strings.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type ScalarTag,
  stringify,
  type Tags,
} from "yaml";
import type { FieldIssue } from "../errors.ts";
import { type DocPath, formatPath } from "./issues.ts";

/** A path into a document: object keys and array indexes. */
export type { DocPath };

/** One document of a YAML stream, with what is needed to point into its source. */
export interface SourceDocument {
  /** 0-based position in the stream. */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  /** The document as plain data (undefined when its syntax is broken). */
  value: unknown;
  /** YAML syntax errors, each with a line and column. */
  errors: FieldIssue[];
  /** YAML warnings (unusual but valid syntax). */
  warnings: FieldIssue[];
  /** Line and column of `path`, or of the closest enclosing node that exists. */
  locate: (path: DocPath, at?: "key" | "value") => { line: number; column: number } | undefined;
}

/**
 * Kubernetes' YAML 1.1 resolution, as `yaml`'s 1.1 schema does it, with three fixes: no
 * implicit timestamps and no sexagesimal numbers (Kubernetes' decoder keeps both as strings),
 * and a float's mantissa needs a digit, so `.`, `e5` or `E0` stay strings instead of becoming NaN.
 */
const kubernetesTags = (tags: Tags): Tags =>
  tags
    .filter((tag) => {
      const t = tag as { tag?: string; format?: string };
      return t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME";
    })
    .map((tag) => {
      if (typeof tag !== "object") return tag;
      const test = (tag as { test?: RegExp }).test;
      if (!(test instanceof RegExp) || !(test.test(".") || test.test("e5"))) return tag;
      // The mantissa must start with a digit (after a sign or a dot), as in Kubernetes' decoder.
      return { ...tag, test: new RegExp(`^(?=[-+]?\\.?[0-9])(?:${test.source})$`) } as ScalarTag;
    });

const YAML_OPTIONS = {
  version: "1.1",
  customTags: kubernetesTags,
  logLevel: "silent",
  prettyErrors: false,
  // Testkube's decoder keeps the last of duplicate keys; so does this one, with a warning.
  uniqueKeys: false,
  maxAliasCount: 100,
} as const;

/**
 * Write `value` as one YAML document with the same schema {@link readYamlDocuments} reads, so
 * a string that YAML 1.1 would take for a boolean, a number or null (`"on"`, `"yes"`, `"0755"`,
 * `"~"`) is quoted and reads back as the same string. Every spec text the control plane hands to
 * an agent goes through here.
 */
export const writeYamlDocument = (value: unknown): string =>
  stringify(value, { version: "1.1", customTags: kubernetesTags, aliasDuplicateObjects: false });

/** Split `text` into documents. Never throws; empty documents (a stray `---`) are skipped. */
export const readYamlDocuments = (text: string): SourceDocument[] => {
  const lineCounter = new LineCounter();
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(Math.max(0, offset));
    return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
  };
  let parsed: Document.Parsed[];
  try {
    const all = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter });
    parsed = Array.isArray(all) ? all : [];
  } catch (error) {
    return [brokenStream(error)];
  }
  const documents: SourceDocument[] = [];
  for (const doc of parsed) {
    const errors = doc.errors.map((e) => yamlIssue(e.message, e.pos[0], position));
    const warnings = doc.warnings.map((w) => yamlIssue(w.message, w.pos[0], position));
    warnings.push(...duplicateKeys(doc.contents, []).map((d) => duplicateIssue(d, position)));
    let value: unknown;
    if (errors.length === 0) {
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (error) {
        const start = doc.contents?.range?.[0] ?? 0;
        errors.push({ path: "", message: String((error as Error)?.message ?? error), ...position(start) });
      }
      // An empty document (a stray or trailing `---`) is not a document anyone meant to write.
      if (errors.length === 0 && (value === null || value === undefined)) continue;
    }
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    documents.push({
      index: documents.length,
      line: position(start).line,
      value,
      errors,
      warnings,
      locate: (path, at = "value") => {
        const offset = findOffset(doc, path, at);
        return offset === undefined ? undefined : position(offset);
      },
    });
  }
  return documents;
};

const yamlIssue = (
  message: string,
  offset: number,
  position: (offset: number) => { line: number; column: number },
): FieldIssue => ({ path: "", message: firstLine(message), ...position(offset) });

const firstLine = (message: string): string => message.split("\n")[0]?.trim() || "invalid YAML";

const brokenStream = (error: unknown): SourceDocument => ({
  index: 0,
  line: 1,
  value: undefined,
  errors: [{ path: "", message: `cannot read YAML: ${String((error as Error)?.message ?? error)}`, line: 1 }],
  warnings: [],
  locate: () => undefined,
});

interface DuplicateKey {
  path: DocPath;
  key: string;
  offset: number;
}

/** Keys that appear twice in one mapping (aliases are not followed: they repeat nothing). */
const duplicateKeys = (node: unknown, path: DocPath, depth = 0): DuplicateKey[] => {
  if (depth > 200) return [];
  const found: DuplicateKey[] = [];
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      found.push(...duplicateKeys(item, [...path, i], depth + 1));
    });
  } else if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key !== undefined && seen.has(key)) found.push({ path, key, offset: nodeStart(pair.key) ?? 0 });
      if (key !== undefined) seen.add(key);
      found.push(...duplicateKeys(pair.value, key === undefined ? path : [...path, key], depth + 1));
    }
  }
  return found;
};

const duplicateIssue = (
  duplicate: DuplicateKey,
  position: (offset: number) => { line: number; column: number },
): FieldIssue => ({
  path: formatPath(duplicate.path),
  message: `duplicate key ${JSON.stringify(duplicate.key)}: the last one is kept, as Testkube keeps it`,
  ...position(duplicate.offset),
});

/**
 * Walk `path` through the document's nodes. Returns the offset of the deepest node reached:
 * the key of the last map entry when `at` is "key" (unknown fields), else its value.
 */
const findOffset = (doc: Document.Parsed, path: DocPath, at: "key" | "value"): number | undefined => {
  let node: unknown = doc.contents;
  let offset = nodeStart(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    node = isAlias(node) ? node.resolve(doc) : node;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyMatches(item.key, segment));
      if (pair === undefined) return offset;
      const keyOffset = nodeStart(pair.key);
      if (last && at === "key") return keyOffset ?? offset;
      node = pair.value;
      offset = nodeStart(pair.value) ?? keyOffset ?? offset;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) return offset;
      node = item;
      offset = nodeStart(item) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
};

const keyMatches = (key: unknown, segment: PropertyKey | undefined): boolean =>
  isScalar(key) && String(key.value) === String(segment);

const nodeStart = (node: unknown): number | undefined => {
  const range = (node as Node | null)?.range;
  return Array.isArray(range) ? range[0] : undefined;
};
