/**
 * What an idle `assay agent` loads: the CLI, the daemon and the runtime it prepares at start,
 * and nothing of the workflow parser and planner (yaml, zod, the shared schemas), the control
 * plane's domain schemas or Node's HTTP client facades. Those load with the first execution
 * (or the first command that needs them); the idle agent's memory is a benchmark figure.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { requireDocker } from "../runner/runtimes/docker/test-images.ts";

const here = (path: string) => new URL(path, import.meta.url).href;

interface Loaded {
  urls: string[];
  builtins: string[];
  /** What `then` (code run after the imports, `m` the last module) set `out` to. */
  out?: unknown;
}

/**
 * Imports `modules` in a fresh Node (then runs `then`) and lists every module URL and Node
 * built-in it loaded.
 */
const loadedBy = (modules: string[], then = "", env: NodeJS.ProcessEnv = process.env): Loaded => {
  const script = `
import { registerHooks } from "node:module";
const urls = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); urls.push(r.url); return r; } });
let m, out;
for (const url of ${JSON.stringify(modules)}) m = await import(url);
${then}
process.stdout.write(JSON.stringify({ urls, builtins: process.moduleLoadList, out }));
`;
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env }),
  );
};

const heavy = [
  /\/node_modules\/yaml\//,
  /\/node_modules\/zod\//,
  /\/shared\/src\/index\.ts$/,
  /\/shared\/src\/workflow\/index\.ts$/,
  /\/shared\/src\/workflow\/(parse|plan\/plan|schema\/\w+|expressions\/parse)\.ts$/,
];

const assertLight = (loaded: Loaded, except: RegExp[] = []) => {
  for (const pattern of heavy) {
    const hit = loaded.urls.find((url) => pattern.test(url));
    assert.equal(hit, undefined, `loaded at idle: ${hit}`);
  }
  for (const builtin of ["NativeModule https", "NativeModule internal/deps/undici/undici"]) {
    if (except.some((e) => e.test(builtin))) continue;
    assert.ok(!loaded.builtins.includes(builtin), `loaded at idle: ${builtin}`);
  }
};

test("the agent command, the daemon and the process runtime load no parser, planner or HTTP client", () => {
  const loaded = loadedBy([
    here("../cli/main.ts"),
    here("../cli/commands/agent.ts"),
    here("./agent.ts"),
    here("../runner/runtimes/select.ts"),
    here("../runner/runtimes/process/process-runtime.ts"),
  ]);
  // The modules themselves were loaded (the hook saw them), so the absence above means something.
  assert.ok(loaded.urls.some((url) => url.endsWith("/runner/runtimes/process/process-runtime.ts")));
  assertLight(loaded);
});

test("the Docker runtime and the engine calls at start load no engine client, parser or planner", () => {
  const loaded = loadedBy([
    here("../runner/runtimes/docker/docker-runtime.ts"),
    here("../runner/runtimes/docker/engine-start.ts"),
  ]);
  assert.ok(loaded.urls.some((url) => url.endsWith("/docker/docker-runtime.ts")));
  const client = loaded.urls.find((url) => /\/node_modules\/dockerode\//.test(url));
  assert.equal(client, undefined, `loaded at idle: ${client}`);
  assertLight(loaded);
});

test("auto with an engine on its socket chooses Docker, pings and sweeps it without dockerode", async () => {
  await requireDocker();
  const loaded = loadedBy(
    [here("../runner/runtimes/select.ts")],
    `const selected = await m.selectRuntime("auto", "agt_idle_${process.pid}"); out = { name: selected.runtime.name, swept: selected.swept };`,
  );
  assert.deepEqual(loaded.out, { name: "docker", swept: 0 });
  const client = loaded.urls.find((url) => /\/node_modules\/dockerode\//.test(url));
  assert.equal(client, undefined, `loaded at idle: ${client}`);
  assertLight(loaded);
});

test("auto without an engine socket chooses processes without loading the Docker client", () => {
  const loaded = loadedBy(
    [here("../runner/runtimes/select.ts")],
    `const selected = await m.selectRuntime("auto", "agt_idle"); out = { name: selected.runtime.name, note: selected.note };`,
    { ...process.env, DOCKER_HOST: "unix:///nonexistent/assay-test/docker.sock" },
  );
  assert.deepEqual(loaded.out, {
    name: "process",
    note: "no Docker engine answers at unix:///nonexistent/assay-test/docker.sock: steps run as host processes",
  });
  const docker = loaded.urls.find((url) => /\/node_modules\/dockerode\/|\/docker-runtime\.ts$/.test(url));
  assert.equal(docker, undefined, `loaded without an engine: ${docker}`);
  assertLight(loaded);
});
