#!/usr/bin/env node
// `assay` as installed: the bundle (dist/assay.js, built by `npm run build:agent` and before
// packing) when it exists, so no type stripping is needed; else the TypeScript sources of a
// source checkout.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/assay.js", import.meta.url);
await import(existsSync(bundle) ? bundle.href : "./assay.ts");
