/**
 * The control plane serves the agent: GET /agent/assay-agent-<version>.tgz (and the unversioned
 * /agent/assay-agent.tgz) is the npm tarball of the agent of this control plane's version, what
 * the install commands hand to `npx` and `npm install -g`. Locally it is packed from the
 * sources (agent/scripts/pack.ts) when missing or older than them, once, on first need; in AWS
 * the same file sits in the web bucket behind CloudFront.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { ASSAY_VERSION } from "@assay/shared";
import type { Hono } from "hono";
import { AGENT_TARBALL_PATH } from "../core/install.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const AGENT_PACKAGE_DIR = join(REPO, "agent/dist-package");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when the tarball is missing or older than the agent's or the shared sources. */
function isStale(file: string): boolean {
  if (!existsSync(file)) return true;
  const sources = ["agent/src", "agent/scripts", "shared/src"].map((d) => newestMtime(join(REPO, d)));
  return statSync(file).mtimeMs < Math.max(...sources);
}

function pack(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO, "agent/scripts/pack.ts"), "--outdir", dir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let tail = "";
    child.stderr?.on("data", (d) => (tail = (tail + d).slice(-2000)));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`packing the agent failed (agent/scripts/pack.ts):\n${tail}`)),
    );
  });
}

export interface AgentPackage {
  /** The tarball's path on disk, packed first when missing or stale (one pack at a time). */
  ensure(): Promise<string>;
  /** Mounts GET /agent/assay-agent[-<version>].tgz on `app`. */
  mount(app: Hono): void;
}

export function createAgentPackage(dir = AGENT_PACKAGE_DIR): AgentPackage {
  const file = join(dir, `assay-agent-${ASSAY_VERSION}.tgz`);
  let packing: Promise<string> | undefined;
  const ensure = (): Promise<string> => {
    if (!packing) {
      packing = (isStale(file) ? pack(dir) : Promise.resolve()).then(
        () => file,
        (error: unknown) => {
          packing = undefined;
          throw error;
        },
      );
    }
    return packing;
  };
  return {
    ensure,
    mount(app) {
      const serve = async () => {
        const path = await ensure();
        const body = Readable.toWeb(createReadStream(path)) as ReadableStream;
        return new Response(body, {
          headers: {
            "content-type": "application/octet-stream",
            "content-length": String(statSync(path).size),
            "cache-control": "no-cache",
          },
        });
      };
      app.get(AGENT_TARBALL_PATH, serve);
      app.get("/agent/assay-agent.tgz", serve);
    },
  };
}
