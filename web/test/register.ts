/**
 * Lets node's test runner load the dashboard's `.tsx` files, as Vite does for the browser: JSX and
 * types are compiled with esbuild (the same transform Vite's toolchain applies), and stylesheet
 * imports load as empty modules because styling plays no part in a DOM test, and the router is
 * resolved as in a browser. Passed to the runner
 * with `--import`; plain `.ts` files keep node's own type stripping.
 */
import { readFileSync } from "node:fs";
import { createRequire, registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

// Loaded on the first .tsx only: every test process gets this hook, most never need esbuild.
let esbuild: typeof import("esbuild") | undefined;
const compiler = () => {
  esbuild ??= createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  return esbuild;
};

// The router picks its server-rendering path when resolved with node's conditions; the dashboard
// only ever runs in a browser, so its components under test get the browser flag.
const BROWSER_ONLY = new Set(["@tanstack/router-core/isServer"]);

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (BROWSER_ONLY.has(specifier)) {
      return nextResolve(specifier, { ...context, conditions: ["browser", ...(context.conditions ?? [])] });
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (url.startsWith("file:") && url.endsWith(".tsx")) {
      const file = fileURLToPath(url);
      const { code } = compiler().transformSync(readFileSync(file, "utf8"), {
        loader: "tsx",
        format: "esm",
        jsx: "automatic",
        target: "es2022",
        sourcemap: "inline",
        sourcefile: file,
      });
      return { format: "module", source: code, shortCircuit: true };
    }
    if (url.endsWith(".css")) return { format: "module", source: "export default '';", shortCircuit: true };
    return nextLoad(url, context);
  },
});
