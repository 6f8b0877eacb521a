/**
 * What the first page load fetches: the entry script and the chunks it imports statically
 * (index.html's module preloads). Pages other than sign-in and the workflows list are lazy
 * routes, and the heavy libraries load with the pages that use them: zod with the log viewer
 * (it validates the log stream's events) and the editors, cronstrue with the schedule views,
 * CodeMirror with the editors, uPlot with the insights. A shared module that carries schemas,
 * pulled into the entry for a constant it also exports, brings zod along, since the lazy chunks'
 * schemas then live in the entry; this test names the module that did.
 *
 * The dashboard is built with Vite's API (the project's own config, nothing written to disk).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build, type Rolldown } from "vite";

const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Libraries that belong to lazy pages only. */
const LAZY_ONLY = ["zod", "cronstrue", "@codemirror", "@lezer", "uplot", "yaml"];
/** Dashboard code that belongs to lazy pages only. */
const LAZY_SOURCES = [
  "shared/src/lazy-schema.ts",
  "web/src/features/executions/",
  "web/src/features/settings/",
  "web/src/features/webhooks/",
  "web/src/features/credentials/",
  "web/src/features/insights/components/",
  "web/src/lib/cron-words.ts",
];

test("the first page load holds no lazy page's libraries or code", async () => {
  const result = await build({
    root: WEB_DIR,
    configFile: join(WEB_DIR, "vite.config.ts"),
    logLevel: "silent",
    build: { write: false, sourcemap: false },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = new Map<string, Rolldown.OutputChunk>();
  for (const output of outputs)
    for (const item of output.output) if (item.type === "chunk") chunks.set(item.fileName, item);
  const entries = [...chunks.values()].filter((chunk) => chunk.isEntry);
  assert.equal(entries.length, 1, "one entry script");

  // The entry and everything it imports statically, as index.html preloads them.
  const initial = new Set<string>();
  const visit = (fileName: string) => {
    if (initial.has(fileName)) return;
    initial.add(fileName);
    for (const imported of chunks.get(fileName)?.imports ?? []) visit(imported);
  };
  for (const entry of entries) visit(entry.fileName);

  const modules = [...initial].flatMap((fileName) => chunks.get(fileName)?.moduleIds ?? []);
  const offending = modules.filter(
    (id) =>
      LAZY_ONLY.some((lib) => id.includes(`/node_modules/${lib}/`)) ||
      LAZY_SOURCES.some((source) => id.includes(`/${source}`)),
  );
  // A library by its package name, the repository's own modules by their path in it.
  const repo = join(WEB_DIR, "..");
  const shown = [
    ...new Set(
      offending.map((id) => id.replace(/^.*?\/node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1").replace(repo, "")),
    ),
  ];
  assert.deepEqual(shown, [], `the initial JS holds ${shown.join(", ")}`);

  // The lazy pages are still reachable: their chunks exist and the entry imports them dynamically.
  const dynamic = new Set([...initial].flatMap((fileName) => chunks.get(fileName)?.dynamicImports ?? []));
  for (const page of ["execution-page", "settings-page", "webhooks-page", "credentials-page"])
    assert.ok(
      [...dynamic].some((fileName) => fileName.includes(page)),
      `${page} is a lazy chunk of the entry`,
    );
});
