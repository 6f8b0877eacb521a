/**
 * User-supplied regular expressions (`spec.config.X.pattern`) run on RE2 (compiled to
 * WebAssembly, so no native addon): matching takes time linear in the input whatever the
 * pattern, so a nested quantifier like `^(a+)+$` cannot stall the event loop as it does on V8's
 * backtracking engine. RE2 has no backreferences or lookaround; such patterns are refused at
 * apply with the engine's reason, and again at run time for workflows stored before.
 *
 * The engine is loaded on first use (a Lambda that never meets a pattern does not compile the
 * WebAssembly module at cold start); bundles keep `re2-wasm` as a package beside them, since it
 * reads its `.wasm` file from its own folder.
 */
import { createRequire } from "node:module";
import type { FieldIssue } from "@assay/shared";
import type { RE2 } from "re2-wasm";

let engine: typeof RE2 | undefined;
const loadEngine = (): typeof RE2 => {
  engine ??= (createRequire(import.meta.url)("re2-wasm") as typeof import("re2-wasm")).RE2;
  return engine;
};

/** Longest pattern accepted, so hostile patterns stay cheap to compile. */
export const MAX_PATTERN_LENGTH = 1000;

/** Outcome of checking a value against a pattern. */
export type PatternCheck = { ok: true; matches: boolean } | { ok: false; reason: string };

/** The engine's handle on compiled state in WebAssembly memory, which needs freeing by hand. */
interface Wrapped {
  wrapper?: { delete?: () => void };
}

const compile = (source: string): { ok: true; re: RE2 } | { ok: false; reason: string } => {
  if (source.length > MAX_PATTERN_LENGTH) {
    return { ok: false, reason: `is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  try {
    const Engine = loadEngine();
    return { ok: true, re: new Engine(source, "u") };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // RE2's message names the unsupported construct ("invalid perl operator: (?=").
    return { ok: false, reason: `is not a supported regular expression (${message.slice(0, 120)})` };
  }
};

const release = (re: RE2): void => (re as unknown as Wrapped).wrapper?.delete?.();

/** Whether `value` matches `source`, in time linear in `value`. */
export function matchPattern(source: string, value: string): PatternCheck {
  const compiled = compile(source);
  if (!compiled.ok) return compiled;
  try {
    return { ok: true, matches: compiled.re.test(value) };
  } finally {
    release(compiled.re);
  }
}

/** Why `source` cannot be used as a pattern, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  const compiled = compile(source);
  if (!compiled.ok) return compiled.reason;
  release(compiled.re);
  return undefined;
}

/** Issues for every parameter of a `spec.config` whose pattern cannot run; `base` prefixes paths. */
export function configPatternIssues(config: unknown, base = "spec.config"): FieldIssue[] {
  if (typeof config !== "object" || config === null) return [];
  const issues: FieldIssue[] = [];
  for (const [name, param] of Object.entries(config)) {
    const pattern = (param as { pattern?: unknown } | null)?.pattern;
    if (typeof pattern !== "string") continue;
    const problem = patternProblem(pattern);
    if (problem) issues.push({ path: `${base}.${name}.pattern`, message: problem });
  }
  return issues;
}
