/**
 * docs/architecture.md names the files and folders where each rule lives; every one it names must
 * exist, so the map cannot drift from the house. A backticked word is a path when it has a slash
 * or a file ending (`.ts`, `.tsx`, `.md`, `.json`, `.proto`). It is looked up from the repository
 * root, and from the folder its section's heading names (`## functions/core: ...`) and that
 * folder's parents, so a section may write `lifecycle/transitions.ts` for
 * `functions/core/lifecycle/transitions.ts`.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOC = "docs/architecture.md";

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** The backticked words of a line that name a file or folder. */
export const pathsIn = (line: string): string[] =>
  [...line.matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1] ?? "")
    .filter((word) => !/^[@/-]/.test(word) && !/[{}:()=<>|*,"'$]/.test(word))
    .filter((word) => word.includes("/") || /\.(ts|tsx|md|json|proto)$/.test(word));

/** The folders a path of the section under `heading` may be relative to, nearest first. */
const basesOf = (folder: string | undefined): string[] => {
  const bases: string[] = [];
  for (let dir = folder; dir !== undefined && dir !== "." && dir !== ""; dir = dirname(dir)) {
    bases.push(dir);
    if (dirname(dir) === dir) break;
  }
  return [...bases, "."];
};

test("every file and folder docs/architecture.md names exists", () => {
  const lines = readFileSync(join(ROOT, DOC), "utf8").split("\n");
  let folder: string | undefined;
  let inCode = false;
  const missing: string[] = [];
  let checked = 0;
  lines.forEach((line, index) => {
    if (line.startsWith("```")) inCode = !inCode;
    if (inCode) return;
    const heading = /^#{2,3} (\S+?):?(\s|$)/.exec(line);
    if (heading)
      folder = isDir(join(ROOT, heading[1] ?? "")) ? heading[1] : line.startsWith("## ") ? undefined : folder;
    for (const path of pathsIn(line)) {
      checked++;
      if (!basesOf(folder).some((base) => existsSync(join(ROOT, base, path)))) {
        missing.push(`${DOC}:${index + 1}: \`${path}\`${folder ? ` (looked up from ${folder} too)` : ""}`);
      }
    }
  });
  assert.deepEqual(missing, [], `paths named in ${DOC} that do not exist:\n${missing.join("\n")}`);
  assert.ok(checked >= 40, `only ${checked} paths found in ${DOC}: the path pattern no longer matches it`);
});

test("the path pattern takes files and folders, not subjects, routes or packages", () => {
  assert.deepEqual(
    pathsIn(
      "`index.ts` (`createCore`), `lifecycle/`, `exec.{id}.status`, `/v1/auth/sso/callback`, `@assay/shared`, `register:token`, `web/src/components/ui/`",
    ),
    ["index.ts", "lifecycle/", "web/src/components/ui/"],
  );
});
