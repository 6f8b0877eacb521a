/**
 * Local mode serves the dashboard from the same origin as the API (as CloudFront does in AWS):
 * built files from web/dist, and index.html for any other GET outside /v1 so client-side
 * routes survive a reload. Without a build, `/` says how to make one.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import type { ApiApp } from "../api/app.ts";

export const WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** Wraps the API app with the dashboard's static files and SPA fallback. */
export function withDashboard(api: ApiApp, distDir = WEB_DIST): Hono {
  const root = new Hono();
  root.route("/", api);
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) {
    root.get("/", (c) =>
      c.text(
        "The dashboard is not built yet: run `npm run build:web`, then reload. The API is under /v1.",
        503,
      ),
    );
    return root;
  }
  const index = readFileSync(indexFile, "utf8");
  root.use("/assets/*", serveStatic({ root: distDir }));
  root.use("/*", serveStatic({ root: distDir }));
  root.get("*", (c) => {
    if (c.req.path.startsWith("/v1/")) {
      return c.json({ error: { code: "not_found", message: `no route for GET ${c.req.path}` } }, 404);
    }
    return c.html(index);
  });
  return root;
}
