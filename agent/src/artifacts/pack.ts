/**
 * Packs one step's artifacts into a tar.gz bundle: the `artifacts.paths` globs, relative to the
 * artifacts' working directory (Testkube's `/data/...` paths mapped onto the workspace). Only
 * paths inside the execution's workspace are collected: on a shared host, a pattern must never
 * pick up another execution's (or the host's) files. A matched directory is packed whole.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { glob, rm, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { isDataPath, mapDataPath } from "@assay/shared/workflow";
import { create } from "tar";
import { stageMasked } from "./mask-files.ts";

export interface PackResult {
  /** Entries matched (files and directories, before directory expansion). */
  matched: number;
  sizeBytes: number;
  sha256: string;
  warnings: string[];
  /** Text files in which a secret value was masked. */
  masked: number;
}

const inside = (root: string, path: string) => path === root || path.startsWith(`${root}${sep}`);

/**
 * The directory entries are stored relative to: the artifacts' working directory, or the whole
 * workspace (`/data`) when an absolute `/data/...` pattern reaches outside it (Testkube collects
 * `/data/artifacts/**` from a step working in `/data/repo` too).
 */
export const artifactRoot = (workspace: string, base: string, patterns: readonly string[]): string => {
  const outside = patterns.some((raw) => {
    if (!isDataPath(raw)) return false;
    const full = mapDataPath(raw, workspace);
    return !inside(base, full.replace(/[*?[{].*$/, "").replace(/\/$/, "") || "/");
  });
  return outside && inside(workspace, base) ? workspace : base;
};

/** The entries (relative to `base`) the patterns match, nested ones folded into matched directories. */
export async function matchArtifacts(
  workspace: string,
  stepBase: string,
  patterns: readonly string[],
): Promise<{ entries: string[]; warnings: string[]; base: string }> {
  const warnings: string[] = [];
  const found = new Set<string>();
  const base = artifactRoot(workspace, stepBase, patterns);
  const prefix = relative(base, stepBase);
  for (const raw of patterns) {
    const mapped = isDataPath(raw) ? mapDataPath(raw, workspace) : raw;
    const pattern = isAbsolute(mapped) || prefix === "" ? mapped : `${prefix}/${mapped}`;
    const relativePattern = isAbsolute(pattern) ? relative(base, pattern) : pattern;
    if (isAbsolute(relativePattern) || relativePattern.split(/[\\/]/).includes("..")) {
      warnings.push(`artifacts path "${raw}" is outside the working directory; not collected`);
      continue;
    }
    let any = false;
    for await (const match of glob(relativePattern, { cwd: base })) {
      const full = resolve(base, match);
      if (!inside(workspace, full) || !inside(base, full)) continue;
      found.add(relative(base, full));
      any = true;
    }
    if (!any) warnings.push(`artifacts path "${raw}" matched nothing`);
  }
  const sorted = [...found].filter((p) => p !== "").sort();
  const dirs = new Set<string>();
  for (const entry of sorted)
    if ((await stat(resolve(base, entry)).catch(() => undefined))?.isDirectory()) dirs.add(entry);
  const entries = sorted.filter((entry) => {
    const parts = entry.split(sep);
    for (let i = 1; i < parts.length; i++) if (dirs.has(parts.slice(0, i).join(sep))) return false;
    return true;
  });
  return { entries, warnings, base };
}

/**
 * Packs the matches into `outFile` (tar.gz); undefined when nothing matched. With `secrets`, the
 * bundle holds text files with those values masked (mask-files.ts), staged beside `outFile`.
 */
export async function packArtifacts(options: {
  workspace: string;
  base: string;
  patterns: readonly string[];
  outFile: string;
  secrets?: readonly string[] | undefined;
}): Promise<(PackResult & { file: string }) | { file: undefined; warnings: string[] }> {
  const { entries, warnings, base } = await matchArtifacts(options.workspace, options.base, options.patterns);
  if (entries.length === 0) return { file: undefined, warnings };
  const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
  const staging = `${options.outFile}.staging`;
  let masked = 0;
  try {
    if (secrets.length > 0) masked = await stageMasked(base, entries, secrets, staging);
    // Level 1: artifacts are often already compressed (images, videos, zips); speed matters more.
    await create(
      { gzip: { level: 1 }, cwd: secrets.length > 0 ? staging : base, file: options.outFile, portable: true },
      entries,
    );
  } finally {
    if (secrets.length > 0) await rm(staging, { recursive: true, force: true });
  }
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of createReadStream(options.outFile)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return {
    file: options.outFile,
    matched: entries.length,
    sizeBytes,
    sha256: hash.digest("hex"),
    warnings,
    masked,
  };
}
