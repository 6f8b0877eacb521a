#!/usr/bin/env node
// `assay` as installed: the bundle (dist/assay.js, built by `npm run build:agent` and before
// packing) when it exists, so no type stripping is needed; else the TypeScript sources of a
// source checkout. A Node.js too old for either is refused first, with the reason.
import { existsSync } from "node:fs";
import { nodeVersionProblem } from "./node-check.js";

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`error: ${problem}\n`);
  process.exit(1);
}
const bundle = new URL("../dist/assay.js", import.meta.url);
await import(existsSync(bundle) ? bundle.href : "./assay.ts");
