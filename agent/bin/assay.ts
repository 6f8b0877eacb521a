#!/usr/bin/env node
// The `assay` command from the TypeScript sources (Node >= 22.18 strips the types): see
// agent/src/cli/main.ts. Installed packages run bin/assay.js, which prefers the bundle.
import "../src/cli/entry.ts";
