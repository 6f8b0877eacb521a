/**
 * `file()` and `glob()`, the expression functions that read the file system where the step
 * runs, with Testkube's semantics:
 *
 * - Paths are container paths (`/data/repo/a.js`): a relative one resolves against the step's
 *   working directory (`/data` when it sets none). `/data` is the execution's workspace (a
 *   worker's own in a container runtime); any other path is the host's in the process runtime,
 *   and invisible to the agent in a container runtime (an error says so).
 * - `file(path)`: the file's text; a missing file or a directory is an error naming the path.
 * - `glob(pattern, ...)`: the files (never directories) matching any pattern, as absolute
 *   container paths; a pattern starting with `!` excludes. `*` and `?` stay within one path
 *   segment and match dot files too, `**` spans segments, `[a-z]` / `[!a]` and `{a,b}` as in
 *   doublestar. Each search root is walked depth first in name order, roots in name order; a
 *   missing directory gives no files, not an error.
 */
import { type Dirent, readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import { type ExpressionFunction, isDataPath, MAX_TEXT, mapDataPath, toText } from "@assay/shared/workflow";

/** Where a unit's expressions read files. */
export interface FileRoots {
  /** The unit's workspace: `/data` maps here. */
  workspace: string;
  /** The step's working directory as written (`/data/repo`, `e2e`); `/data` when unset. */
  workingDir?: string | undefined;
  /** Paths outside `/data` are the host's (process runtime); otherwise they cannot be read. */
  hostPaths: boolean;
}

/** Most directory entries one `glob()` call visits, so a pattern over `/` cannot hang a step. */
export const MAX_GLOB_ENTRIES = 100_000;

const DATA = "/data";

/** The working directory as a normalised absolute container path. */
export const containerWorkingDir = (roots: FileRoots): string =>
  posix.resolve(DATA, roots.workingDir === undefined || roots.workingDir === "" ? DATA : roots.workingDir);

/** `file` and `glob` over `roots`, for `ExpressionContext.functions`. */
export const fileFunctions = (roots: FileRoots): Record<string, ExpressionFunction> => {
  const cwd = containerWorkingDir(roots);
  const absolute = (path: string) => posix.resolve(cwd, path);
  const toHost = (path: string, fn: string): string => {
    if (isDataPath(path)) return mapDataPath(path, roots.workspace);
    if (roots.hostPaths) return path;
    throw new Error(
      `${fn}(): ${path} is outside /data; in a container runtime the agent reads only the execution's /data`,
    );
  };
  // Host paths under the workspace read back as /data paths, as the step sees them.
  const toContainer = (host: string): string => {
    if (host === roots.workspace) return DATA;
    if (host.startsWith(`${roots.workspace}/`)) return `${DATA}${host.slice(roots.workspace.length)}`;
    return host;
  };
  return {
    file: (args) => {
      if (args.length !== 1) throw new Error("file() takes a single argument");
      const [arg] = args;
      if (typeof arg !== "string")
        throw new Error(`file() expects a string argument, given ${toText(arg ?? null)}`);
      const path = absolute(arg);
      const host = toHost(path, "file");
      let info: ReturnType<typeof statSync>;
      try {
        info = statSync(host);
      } catch {
        throw new Error(`file(${arg}): ${path} does not exist`);
      }
      if (info.isDirectory()) throw new Error(`file(${arg}): ${path} is a directory`);
      if (info.size > MAX_TEXT) throw new Error(`file(${arg}): ${path} is larger than ${MAX_TEXT} bytes`);
      return readFileSync(host, "utf8");
    },
    glob: (args) => {
      if (args.length === 0) throw new Error("glob() takes at least one pattern");
      const include: string[] = [];
      const exclude: RegExp[] = [];
      for (const arg of args) {
        const text = toText(arg);
        if (text.startsWith("!")) exclude.push(globPattern(absolute(text.slice(1))));
        else include.push(absolute(text));
      }
      if (include.length === 0) throw new Error("glob() needs at least one pattern that is not an exclusion");
      const matchers = include.map(globPattern);
      const found: string[] = [];
      const budget = { entries: 0 };
      for (const root of searchRoots(include)) {
        walk(toHost(root, "glob"), budget, (host) => {
          const path = toContainer(host);
          if (matchers.some((m) => m.test(path)) && !exclude.some((m) => m.test(path))) found.push(path);
        });
      }
      return found;
    },
  };
};

const META = /[*?[{\\]/;

/** Where each pattern's walk starts: its segments before the first wildcard, nested roots dropped. */
const searchRoots = (patterns: string[]): string[] => {
  const roots = patterns.map((pattern) => {
    const segments = pattern.split("/");
    const first = segments.findIndex((s) => META.test(s));
    return first < 0 ? pattern : segments.slice(0, first).join("/") || "/";
  });
  const unique = [...new Set(roots)].sort();
  return unique.filter((root) => !unique.some((other) => other !== root && root.startsWith(`${other}/`)));
};

/** Calls `visit` for every non-directory under `host` (or `host` itself when it is a file). */
const walk = (host: string, budget: { entries: number }, visit: (path: string) => void) => {
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(host);
  } catch {
    return;
  }
  if (!info.isDirectory()) {
    visit(host);
    return;
  }
  const into = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++budget.entries > MAX_GLOB_ENTRIES) {
        throw new Error(`glob() visited more than ${MAX_GLOB_ENTRIES} entries; narrow the pattern`);
      }
      const path = dir === "/" ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (entry.isDirectory()) into(path);
      else visit(path);
    }
  };
  into(host);
};

/** A doublestar pattern over absolute paths as a regular expression (see the module header). */
export const globPattern = (pattern: string): RegExp => {
  let out = "";
  let i = 0;
  let braces = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "*") {
      const double = pattern[i + 1] === "*";
      const starts = i === 0 || pattern[i - 1] === "/";
      const ends = pattern[i + 2] === "/" || i + 2 === pattern.length;
      if (double && starts && ends) {
        // `**/` is any number of whole segments; a trailing `**` is everything below.
        out += pattern[i + 2] === "/" ? "(?:[^/]*/)*" : ".*";
        i += pattern[i + 2] === "/" ? 3 : 2;
        continue;
      }
      out += "[^/]*";
      i += double ? 2 : 1;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) {
        out += "\\[";
        i++;
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      out += `[${negated ? "^/" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close + 1;
    } else if (c === "{") {
      braces++;
      out += "(?:";
      i++;
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
      i++;
    } else if (c === "," && braces > 0) {
      out += "|";
      i++;
    } else if (c === "\\" && i + 1 < pattern.length) {
      out += escapeRegExp(pattern[i + 1] as string);
      i += 2;
    } else {
      out += escapeRegExp(c);
      i++;
    }
  }
  if (braces > 0) throw new Error(`glob() pattern ${pattern} has an unclosed {`);
  return new RegExp(`^${out}$`);
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
