/**
 * Importing `@assay/shared` (and its workflow subpath) builds no zod schema: every module-scope
 * schema is a `lazySchema`, built on first use. Every process pays for what its imports build
 * (the API Lambda's cold start most of all), so a new eager schema here is caught by name.
 *
 * A fresh Node process imports the package with a load hook (it runs on the loader's thread, so
 * it only rewrites sources) that counts zod's schema constructors and notes which module's
 * evaluation ran each.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const HOOKS = `
const CONSTRUCTOR = "function _(def) {";
export async function load(url, context, next) {
  const loaded = await next(url, context);
  if (!url.startsWith("file:") || loaded.source == null || !/\\.(ts|js|mjs)$/.test(url)) return loaded;
  let source = typeof loaded.source === "string" ? loaded.source : new TextDecoder().decode(loaded.source);
  if (url.endsWith("/zod/v4/core/core.js")) {
    if (!source.includes(CONSTRUCTOR)) throw new Error("zod's schema constructor was not found in core.js");
    source = source.replace(CONSTRUCTOR, CONSTRUCTOR + " globalThis.__schemas.count++;");
    source += "\\n;globalThis.__schemas.patched = true;\\n";
  }
  if (loaded.format !== "module" && loaded.format !== "module-typescript") return { ...loaded, source };
  return {
    ...loaded,
    source: "const __before = globalThis.__schemas.count;\\n" + source +
      "\\n;{ const n = globalThis.__schemas.count - __before; if (n > 0) globalThis.__schemas.byModule.push([" +
      JSON.stringify(url) + ", n]); }\\n",
  };
}
`;

const REGISTER = `
import { register } from "node:module";
globalThis.__schemas = { count: 0, byModule: [], patched: false };
register("./hooks.mjs", import.meta.url);
`;

it("importing @assay/shared and @assay/shared/workflow builds no zod schema", () => {
  const dir = mkdtempSync(join(tmpdir(), "assay-import-cost-"));
  try {
    writeFileSync(join(dir, "hooks.mjs"), HOOKS);
    writeFileSync(join(dir, "register.mjs"), REGISTER);
    const index = fileURLToPath(new URL("./index.ts", import.meta.url));
    const workflow = fileURLToPath(new URL("./workflow/index.ts", import.meta.url));
    const script = `await import(${JSON.stringify(index)}); await import(${JSON.stringify(workflow)}); await import("zod"); console.log(JSON.stringify(globalThis.__schemas));`;
    const out = execFileSync(
      process.execPath,
      ["--import", join(dir, "register.mjs"), "--input-type=module", "-e", script],
      { encoding: "utf8" },
    );
    const counted = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as {
      count: number;
      byModule: [string, number][];
      patched: boolean;
    };
    assert.ok(counted.patched, "the load hook saw zod's core module");
    const own = counted.byModule.filter(([url]) => !url.includes("/node_modules/"));
    assert.deepEqual(
      own.map(([url, n]) => `${url.slice(url.indexOf("/shared/") + 1)}: ${n}`),
      [],
      "modules that build schemas at import (wrap them in lazySchema)",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
