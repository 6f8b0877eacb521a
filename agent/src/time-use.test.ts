/**
 * Time is injected in the agent: the runner, the runtimes, the daemon, the CLI and artifact
 * collection take a `Clock` (@assay/shared/time) from their entry, so tests can drive it. This
 * guard reads every non-test source file and fails on a direct use of the real clock or timers
 * that is not listed below with its reason; a listed use that is gone fails too, so the list
 * stays true.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/** Direct uses of the real clock and timers (a method of another object, `socket.setTimeout`, is not one). */
const PATTERNS = [
  /(?<![.\w])setTimeout\(/g,
  /(?<![.\w])setInterval\(/g,
  /\bDate\.now\(/g,
  /\bnew Date\(\)/g,
  /\bperformance\.now\(/g,
];

/** file (relative to agent/src) -> the uses it may make, and why. */
const ALLOWED: Record<string, { uses: string[]; reason: string }> = {
  "cli/entry.ts": {
    uses: ["setInterval("],
    reason: "holds the process open while the command runs (the clock's timers do not); measures no time",
  },
  "runner/run-plan.ts": {
    uses: ["setInterval("],
    reason: "holds the process open while a run is in progress, as its processes do; measures no time",
  },
  "daemon/registration.ts": {
    uses: ["Date.now("],
    reason:
      "a grpc-js call deadline is an absolute wall-clock time that the library compares with Date.now()",
  },
  "cli/format.ts": {
    uses: ["Date.now("],
    reason: "how long a running execution has run, in a table printed once, is the wall clock at printing",
  },
  "daemon/test-gateway.ts": {
    uses: ["Date.now(", "setTimeout("],
    reason: "test support: a real gateway on loopback, waited for in real time",
  },
  "runner/runtimes/docker/slow-registry.ts": {
    uses: ["setTimeout("],
    reason: "test support: a registry on loopback that answers slowly in real time",
  },
};

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });

test("agent sources use the injected clock, not the real one, except where listed with a reason", () => {
  const found = new Map<string, Set<string>>();
  for (const file of sources(ROOT)) {
    const text = readFileSync(file, "utf8");
    for (const pattern of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const name = relative(ROOT, file);
        const uses = found.get(name) ?? new Set<string>();
        uses.add(match[0]);
        found.set(name, uses);
      }
    }
  }
  const unlisted = [...found].flatMap(([file, uses]) =>
    [...uses].filter((use) => !ALLOWED[file]?.uses.includes(use)).map((use) => `${file}: ${use}`),
  );
  assert.deepEqual(unlisted, [], "take a Clock from the caller instead (or list the use here with why)");
  const stale = Object.entries(ALLOWED).flatMap(([file, { uses }]) =>
    uses.filter((use) => !found.get(file)?.has(use)).map((use) => `${file}: ${use}`),
  );
  assert.deepEqual(stale, [], "listed uses that are gone: remove them from the list");
  assert.ok(found.size > 0 && sources(ROOT).length > 50, "the guard read the agent's sources");
});
