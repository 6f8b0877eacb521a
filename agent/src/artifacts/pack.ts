/**
 * Packs one step's artifacts into a tar.gz bundle: the `artifacts.paths` globs, relative to the
 * artifacts' working directory (Testkube's `/data/...` paths mapped onto the workspace). Only
 * paths inside the execution's workspace are collected: on a shared host, a pattern must never
 * pick up another execution's (or the host's) files. A matched directory is packed whole.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { glob, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { isDataPath, mapDataPath } from "@assay/shared/workflow";
import { create } from "tar";

export interface PackResult {
  /** Entries matched (files and directories, before directory expansion). */
  matched: number;
  sizeBytes: number;
  sha256: string;
  warnings: string[];
}

const inside = (root: string, path: string) => path === root || path.startsWith(`${root}${sep}`);

/** The entries (relative to `base`) the patterns match, nested ones folded into matched directories. */
export async function matchArtifacts(
  workspace: string,
  base: string,
  patterns: readonly string[],
): Promise<{ entries: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const found = new Set<string>();
  for (const raw of patterns) {
    const pattern = isDataPath(raw) ? mapDataPath(raw, workspace) : raw;
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
  return { entries, warnings };
}

/** Packs the matches into `outFile` (tar.gz); undefined when nothing matched. */
export async function packArtifacts(options: {
  workspace: string;
  base: string;
  patterns: readonly string[];
  outFile: string;
}): Promise<(PackResult & { file: string }) | { file: undefined; warnings: string[] }> {
  const { entries, warnings } = await matchArtifacts(options.workspace, options.base, options.patterns);
  if (entries.length === 0) return { file: undefined, warnings };
  // Level 1: artifacts are often already compressed (images, videos, zips); speed matters more.
  await create({ gzip: { level: 1 }, cwd: options.base, file: options.outFile, portable: true }, entries);
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of createReadStream(options.outFile)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { file: options.outFile, matched: entries.length, sizeBytes, sha256: hash.digest("hex"), warnings };
}
