/**
 * Local mode serves the dashboard from the same origin as the API (as CloudFront does in AWS):
 * built files from web/dist, and index.html for any other GET outside /v1 so client-side
 * routes survive a reload. `npm start` builds the dashboard in the background when web/dist is
 * missing or older than its sources; until then `/` says it is on its way.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import type { ApiApp } from "../api/app.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const WEB_DIST = join(REPO, "web/dist");

/** Wraps the API app with the dashboard's static files and SPA fallback. */
export function withDashboard(api: ApiApp, distDir = WEB_DIST, mount?: (root: Hono) => void): Hono {
  const root = new Hono();
  root.route("/", api);
  mount?.(root);
  const indexFile = join(distDir, "index.html");
  let index: string | undefined;
  root.use("/*", serveStatic({ root: distDir }));
  root.get("*", (c) => {
    if (c.req.path.startsWith("/v1/")) {
      return c.json({ error: { code: "not_found", message: `no route for GET ${c.req.path}` } }, 404);
    }
    if (index === undefined && existsSync(indexFile)) index = readFileSync(indexFile, "utf8");
    if (index === undefined) {
      return c.text("The dashboard is being built (npm run build:web); reload in a few seconds.", 503);
    }
    return c.html(index);
  });
  return root;
}

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when web/dist is missing or older than the dashboard's or the shared sources. */
export function dashboardIsStale(): boolean {
  const built = existsSync(join(WEB_DIST, "index.html")) ? statSync(join(WEB_DIST, "index.html")).mtimeMs : 0;
  return built < Math.max(newestMtime(join(REPO, "web/src")), newestMtime(join(REPO, "shared/src")));
}

/** Builds the dashboard in a child process; resolves with whether it succeeded. */
export function buildDashboard(output: (line: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", "build:web"], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    child.stdout?.on("data", (d) => (tail = (tail + d).slice(-2000)));
    child.stderr?.on("data", (d) => (tail = (tail + d).slice(-2000)));
    child.on("error", () => resolve(false));
    child.on("close", (code) => {
      if (code !== 0) output(`The dashboard build failed (npm run build:web):\n${tail}`);
      resolve(code === 0);
    });
  });
}
