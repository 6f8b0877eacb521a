/**
 * Regenerates the agent protocol's TypeScript from shared/proto with buf and the local ts-proto
 * plugin (offline; no remote plugins). The output is committed: run this after editing a .proto.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const sharedDir = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync("npx", ["buf", "lint"], { cwd: sharedDir, stdio: "inherit" });
rmSync(join(sharedDir, "src/proto/gen"), { recursive: true, force: true });
execFileSync("npx", ["buf", "generate"], { cwd: sharedDir, stdio: "inherit" });
console.log("generated shared/src/proto/gen");
