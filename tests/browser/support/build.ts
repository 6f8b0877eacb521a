/**
 * Test support: builds the dashboard (Vite's API, in the test process) when web/dist is missing
 * or older than its sources or the shared code it bundles.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

export const WEB_DIR = fileURLToPath(new URL("../../../web", import.meta.url));
export const DIST_DIR = join(WEB_DIR, "dist");

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export async function ensureDashboardBuilt(): Promise<void> {
  const index = join(DIST_DIR, "index.html");
  const sources = ["src", "index.html", "vite.config.ts", "package.json"].map((p) => join(WEB_DIR, p));
  const sharedSources = join(WEB_DIR, "..", "shared", "src");
  const newestSource = Math.max(
    ...sources.map(newestMtime),
    existsSync(sharedSources) ? newestMtime(sharedSources) : 0,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return;
  await build({ root: WEB_DIR, configFile: join(WEB_DIR, "vite.config.ts"), logLevel: "warn" });
}
