/**
 * Artifacts and test reports as the API shows them. An execution's artifacts arrive as tar.gz
 * bundles (one per step that collects them); a worker unpacks each bundle into individual
 * objects and records a per-bundle index, and parses JUnit XML found among the files into a
 * test report. The API merges the per-bundle records into one tree and one report.
 */
import * as z from "zod";
import { lazySchema } from "../lazy-schema.ts";

/** One unpacked file. `path` is relative to the execution's artifact root, `/`-separated. */
export const ArtifactFile = lazySchema(() =>
  z.object({
    path: z.string().min(1),
    size: z.number().int().nonnegative(),
    contentType: z.string(),
    /** Hex SHA-256 of the file's bytes. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The bundle (step) the file came from. */
    bundleId: z.string(),
  }),
);
export type ArtifactFile = z.infer<typeof ArtifactFile>;

/**
 * What unpacking one bundle produced: its files, or the reason it was refused (a hostile or
 * oversized bundle is refused as a whole, and nothing of it is kept).
 */
export const BundleIndex = lazySchema(() =>
  z.object({
    bundleId: z.string(),
    stepRef: z.string().default(""),
    status: z.enum(["unpacked", "rejected"]),
    reason: z.string().optional(),
    /** Bytes of the compressed bundle. */
    bundleBytes: z.number().int().nonnegative(),
    files: z.array(ArtifactFile).default([]),
    /** Entries that were not stored (links inside the bundle, directories are never counted). */
    skipped: z.array(z.object({ path: z.string(), reason: z.string() })).default([]),
    unpackedAt: z.string(),
  }),
);
export type BundleIndex = z.infer<typeof BundleIndex>;

/** `GET .../executions/{id}/artifacts`: every file, the bundles, and a directory tree. */
export interface ArtifactListing {
  files: ArtifactFile[];
  bundles: Array<Omit<BundleIndex, "files">>;
  /**
   * Bundles uploaded but not unpacked yet: their files (and JUnit results) are still to come.
   * Empty once every upload has been processed.
   */
  pending: string[];
  totalBytes: number;
  tree: ArtifactTreeNode[];
}

/** A directory (with children) or a file in the artifact tree; sizes of directories are sums. */
export interface ArtifactTreeNode {
  name: string;
  path: string;
  type: "dir" | "file";
  size: number;
  children?: ArtifactTreeNode[];
}

/** Builds the directory tree of `files` (sorted, directories first). */
export const toArtifactTree = (files: readonly Pick<ArtifactFile, "path" | "size">[]): ArtifactTreeNode[] => {
  const root: ArtifactTreeNode = { name: "", path: "", type: "dir", size: 0, children: [] };
  for (const file of files) {
    const parts = file.path.split("/");
    let node = root;
    node.size += file.size;
    for (let i = 0; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join("/");
      let child = node.children?.find((c) => c.type === "dir" && c.path === path);
      if (!child) {
        child = { name: parts[i] ?? "", path, type: "dir", size: 0, children: [] };
        node.children?.push(child);
      }
      child.size += file.size;
      node = child;
    }
    node.children?.push({ name: parts.at(-1) ?? "", path: file.path, type: "file", size: file.size });
  }
  const sort = (nodes: ArtifactTreeNode[]) => {
    nodes.sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === "dir" ? -1 : 1));
    for (const n of nodes) if (n.children) sort(n.children);
    return nodes;
  };
  return sort(root.children ?? []);
};

export const TestCaseStatus = lazySchema(() => z.enum(["passed", "failed", "error", "skipped"]));
export type TestCaseStatus = z.infer<typeof TestCaseStatus>;

/** One test case of a JUnit report. Durations are in milliseconds. */
export const TestCase = lazySchema(() =>
  z.object({
    name: z.string(),
    className: z.string().default(""),
    status: TestCaseStatus,
    durationMs: z.number().nonnegative().default(0),
    /** Failure or error message, and the stack / body text. */
    message: z.string().optional(),
    stack: z.string().optional(),
    file: z.string().optional(),
  }),
);
export type TestCase = z.infer<typeof TestCase>;

export const TestCounts = lazySchema(() =>
  z.object({
    tests: z.number().int().nonnegative(),
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    errors: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
  }),
);
export type TestCounts = z.infer<typeof TestCounts>;

/** A test suite; nested suites are flattened, their names joined with ` › `. */
export const TestSuite = lazySchema(() =>
  z.object({
    name: z.string(),
    /** The artifact file the suite was read from. */
    source: z.string(),
    durationMs: z.number().nonnegative().default(0),
    counts: TestCounts,
    cases: z.array(TestCase),
  }),
);
export type TestSuite = z.infer<typeof TestSuite>;

/** `GET .../executions/{id}/report`: every suite found in the execution's artifacts. */
export const TestReport = lazySchema(() =>
  z.object({
    counts: TestCounts,
    durationMs: z.number().nonnegative(),
    suites: z.array(TestSuite),
    /** JUnit-looking files that could not be parsed, with the reason. */
    unreadable: z.array(z.object({ source: z.string(), reason: z.string() })).default([]),
  }),
);
export type TestReport = z.infer<typeof TestReport>;
