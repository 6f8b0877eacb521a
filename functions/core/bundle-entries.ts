/**
 * What an artifact bundle's tar entries may be. A bundle is refused as a whole when any entry
 * has an absolute path or a `..` segment, is a symbolic or hard link pointing outside the
 * bundle, is a device, FIFO or other special file, or takes the bundle past the files or bytes
 * the plan allows the execution. Links pointing inside are skipped (object storage has no
 * links) and listed with their reason, and so are entries the tar reader passes over.
 */
import { posix } from "node:path";
import type { BundleIndex } from "@assay/shared";
import type { ReadEntry } from "tar";
import { fileKey } from "./artifacts.ts";

/** A bundle that must not be unpacked; the message is recorded as the reason. */
export class BundleRejectedError extends Error {}

/** What one bundle may still hold, and what its ratio check measures against. */
export interface BundleBudget {
  files: number;
  bytes: number;
  maxRatio: number;
  compressedBytes: number;
}

const MAX_KEY_BYTES = 1024;

/** A safe relative path for `raw`, or a rejection. */
export function safeEntryPath(raw: string): string {
  if (raw.includes("\0")) throw new BundleRejectedError(`entry "${raw}" has a NUL byte in its path`);
  const path = raw.replace(/\\/g, "/");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    throw new BundleRejectedError(`entry "${raw}" has an absolute path`);
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new BundleRejectedError(`entry "${raw}" has a ".." path segment`);
  return parts.join("/");
}

/** Whether a link at `path` with `target` stays inside the bundle (`hard`: target from the root). */
const linkStaysInside = (path: string, target: string, hard: boolean): boolean => {
  const t = target.replace(/\\/g, "/");
  if (t.startsWith("/") || /^[A-Za-z]:/.test(t)) return false;
  const resolved = posix.normalize(hard ? t : posix.join(posix.dirname(path), t));
  return resolved !== ".." && !resolved.startsWith("../");
};

/** Why the tar reader passed over an entry. */
export const ignoredReason = (entry: ReadEntry): string =>
  entry.meta
    ? `extended header of ${entry.size} bytes is too large (ignored)`
    : entry.type === "SparseFile"
      ? `sparse file of ${entry.size} stored bytes (not stored: sparse entries are not supported; archive without --sparse)`
      : `${entry.type} entry (not stored: not a regular file)`;

/**
 * What to do with the entry at the safe `path`: pass over a directory, list a link pointing
 * inside as skipped, store a regular file; anything else refuses the bundle.
 */
export function entryVerdict(
  entry: ReadEntry,
  path: string,
): { kind: "directory" } | { kind: "skipped"; skipped: BundleIndex["skipped"][number] } | { kind: "file" } {
  switch (entry.type) {
    case "Directory":
      return { kind: "directory" };
    case "SymbolicLink":
    case "Link": {
      const hard = entry.type === "Link";
      if (!linkStaysInside(path, entry.linkpath ?? "", hard)) {
        throw new BundleRejectedError(
          `${hard ? "hard" : "symbolic"} link "${entry.path}" points outside the bundle`,
        );
      }
      return {
        kind: "skipped",
        skipped: { path, reason: `${hard ? "hard" : "symbolic"} link to ${entry.linkpath} (not stored)` },
      };
    }
    case "File":
    case "OldFile":
    case "ContiguousFile":
      return { kind: "file" };
    default:
      throw new BundleRejectedError(`entry "${entry.path}" is a ${entry.type}, not a regular file`);
  }
}

/**
 * Refuses a file entry whose path cannot be stored under `prefix`, or that would be file number
 * `fileNumber` or take the declared bytes to `declaredBytes`, past the budget.
 */
export function checkFileEntry(
  entry: ReadEntry,
  path: string,
  prefix: string,
  budget: BundleBudget,
  counts: { fileNumber: number; declaredBytes: number },
): void {
  if (path === "") throw new BundleRejectedError(`entry "${entry.path}" has an empty path`);
  if (Buffer.byteLength(fileKey(prefix, path)) > MAX_KEY_BYTES) {
    throw new BundleRejectedError(`entry "${entry.path}" has a path too long to store`);
  }
  if (counts.fileNumber > budget.files) {
    throw new BundleRejectedError(`more than ${budget.files} files (the plan's limit for an execution)`);
  }
  if (counts.declaredBytes > budget.bytes) {
    throw new BundleRejectedError(
      `more than ${budget.bytes} bytes unpacked (the plan's limit for an execution)`,
    );
  }
}
