/**
 * Testkube's `/data` convention on a host. In Kubernetes every container of an execution shares
 * an emptyDir volume at `/data` (Git content lands in `/data/repo`, steps `mkdir
 * /data/artifacts`). The process runner has no such volume: it gives each execution its own
 * workspace directory and maps
 *
 *   /data            -> <workspace>
 *   /data/<rest>     -> <workspace>/<rest>
 *
 * Any other absolute path, and every relative path, is left alone (relative paths resolve
 * against the step's working directory). Paths are normalised first, so `/data/../etc` is
 * `/etc` and never escapes into the workspace's parent; `/database` is not under `/data`.
 */

/** The mount point Testkube workflows assume. */
export const DATA_DIR = "/data";

/** Map a Testkube path onto the execution's workspace (see the module header). */
export const mapDataPath = (path: string, workspaceDir: string): string => {
  if (!path.startsWith("/")) return path;
  const normalized = normalizePosix(path);
  if (normalized !== DATA_DIR && !normalized.startsWith(`${DATA_DIR}/`)) return path;
  const rest = normalized.slice(DATA_DIR.length);
  const base =
    workspaceDir.endsWith("/") && workspaceDir.length > 1 ? workspaceDir.slice(0, -1) : workspaceDir;
  const trailing = path.endsWith("/") && rest !== "" ? "/" : "";
  return `${base}${rest}${trailing}`;
};

/** True when `path` is `/data` or under it (after normalising). */
export const isDataPath = (path: string): boolean => {
  if (!path.startsWith("/")) return false;
  const normalized = normalizePosix(path);
  return normalized === DATA_DIR || normalized.startsWith(`${DATA_DIR}/`);
};

/** Resolve `.`, `..` and repeated slashes of an absolute POSIX path (no trailing slash). */
const normalizePosix = (path: string): string => {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
};
