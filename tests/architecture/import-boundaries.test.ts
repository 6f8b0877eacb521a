/**
 * The rooms of the house, checked: which folder may import which (docs/architecture.md draws
 * them). Each import of every production file is resolved to the file it names, so a relative
 * path that climbs into another folder is caught as surely as a package name. Biome's
 * restricted-import rule matches specifiers as written; this test resolves them, which is what
 * "core never imports an adapter" needs.
 *
 * Test files (`*.test.ts`) and test support may cross the walls (a core test runs its port on a
 * real adapter; a browser test starts a control plane); the rules are about shipped code.
 */
import assert from "node:assert/strict";
import { globSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(import.meta.dirname, "../..");

/** An import found in a file: the specifier as written and, for a relative one, the file it names. */
interface Import {
  specifier: string;
  /** Repository-relative path of the target (relative specifiers only). */
  target?: string;
}

const isTestFile = (file: string) =>
  /\.test\.tsx?$/.test(file) || file.includes("/testing/") || file.startsWith("web/test/");

/** Every production source file under `folders`, repository-relative. */
function sourceFiles(folders: string[]): string[] {
  return globSync(
    folders.map((f) => `${f}/**/*.{ts,tsx}`),
    { cwd: ROOT, exclude: (name) => ["node_modules", "gen", "dist", "cdk.out"].includes(name) },
  )
    .filter((file) => !file.includes("node_modules") && !isTestFile(file))
    .sort();
}

/** Static imports, re-exports and dynamic `import("...")` of one file (comments removed first). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: Import[] = [];
  for (const m of text.matchAll(/(?:^|[^\w.])(?:from|import)\s*\(?\s*["']([^"'\n]+)["']/g)) {
    const specifier = m[1] ?? "";
    found.push(
      specifier.startsWith(".")
        ? { specifier, target: relative(ROOT, resolve(ROOT, dirname(file), specifier)) }
        : { specifier },
    );
  }
  return found;
}

interface Rule {
  /** What the rule says, as the failure message starts. */
  says: string;
  /** The folders whose files it constrains. */
  files: string[];
  /** Folders their relative imports must not reach. */
  forbiddenFolders?: string[];
  /** Packages (exact, or a scope ending in `/`) they must not import. */
  forbiddenPackages?: string[];
  /** Files allowed to break the rule: composition roots. */
  except?: string[];
  /** A forbidden folder's module that imports nothing (plain data) may still be read. */
  allowPlainData?: boolean;
}

const FUNCTION_ROOMS = ["adapters", "api", "ingress", "worker", "local", "runtime", "testing"].map(
  (room) => `functions/${room}`,
);

const RULES: Rule[] = [
  {
    says: "functions/core holds the rules over ports: it imports no adapter, entry or transport",
    files: ["functions/core"],
    forbiddenFolders: [...FUNCTION_ROOMS, "agent", "web", "infra"],
    forbiddenPackages: ["hono", "@hono/", "@aws-sdk/", "@grpc/grpc-js", "@nats-io/", "nats", "pino"],
  },
  {
    says: "functions/api is the HTTP transport: it reaches storage only through the core",
    files: ["functions/api"],
    forbiddenFolders: ["functions/adapters", "functions/ingress", "functions/worker", "functions/local"],
    // The Lambda entries build the AWS composition.
    except: ["functions/api/aws-app.ts"],
  },
  {
    says: "functions/ingress is the gRPC transport: it reaches storage only through the core",
    files: ["functions/ingress"],
    forbiddenFolders: ["functions/adapters", "functions/api", "functions/worker", "functions/local"],
  },
  {
    says: "functions/worker holds job handlers over the core",
    files: ["functions/worker"],
    forbiddenFolders: ["functions/adapters", "functions/api", "functions/ingress", "functions/local"],
  },
  {
    says: "functions/adapters implement ports: they import no entry",
    files: ["functions/adapters"],
    forbiddenFolders: [
      "functions/api",
      "functions/ingress",
      "functions/worker",
      "functions/local",
      "functions/runtime",
    ],
  },
  {
    says: "shared is the bottom floor: it imports nothing of the deployables",
    files: ["shared/src"],
    forbiddenFolders: ["functions", "agent", "web", "infra"],
  },
  {
    says: "the agent imports only shared",
    files: ["agent/src"],
    forbiddenFolders: ["functions", "web", "infra"],
    forbiddenPackages: ["@assay/functions"],
  },
  {
    says: "the dashboard imports only shared",
    files: ["web/src"],
    forbiddenFolders: ["functions", "agent", "infra"],
    forbiddenPackages: ["@assay/functions"],
  },
  {
    says: "infra imports no runtime code (it points at entry files by path)",
    files: ["infra"],
    forbiddenFolders: ["functions", "agent", "web"],
    // The table definition and the job kinds: the runtime's own data, so the two cannot drift.
    allowPlainData: true,
  },
];

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const isPackage = (specifier: string, pkg: string) =>
  pkg.endsWith("/") ? specifier.startsWith(pkg) : specifier === pkg || specifier.startsWith(`${pkg}/`);

for (const rule of RULES) {
  test(rule.says, () => {
    const files = sourceFiles(rule.files);
    assert.ok(files.length > 0, `no files found under ${rule.files.join(", ")}`);
    const breaches: string[] = [];
    for (const file of files) {
      if (rule.except?.includes(file)) continue;
      for (const { specifier, target } of importsOf(file)) {
        const folder =
          target &&
          !(rule.allowPlainData && importsOf(target).length === 0) &&
          rule.forbiddenFolders?.find((f) => within(target, f));
        const pkg = !target && rule.forbiddenPackages?.find((p) => isPackage(specifier, p));
        if (folder) breaches.push(`${file} imports ${specifier} (in ${folder})`);
        if (pkg) breaches.push(`${file} imports the package ${specifier}`);
      }
    }
    assert.deepEqual(breaches, [], `${rule.says}:\n  ${breaches.join("\n  ")}`);
  });
}

test("functions/core reads no environment variables (entries parse config once)", () => {
  const readers = sourceFiles(["functions/core"]).filter((file) =>
    /\bprocess\.env\b/.test(readFileSync(join(ROOT, file), "utf8")),
  );
  assert.deepEqual(readers, []);
});

test("the control plane's modules import each other without a circle", () => {
  const files = new Set(sourceFiles(["functions", "shared/src"]));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    edges.set(
      file,
      importsOf(file)
        .map((i) => i.target)
        .filter((t): t is string => t !== undefined && files.has(t)),
    );
  }
  // Tarjan's strongly connected components: any component of two or more files is a circle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) circles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  assert.deepEqual(circles, [], `import circles:\n  ${circles.map((c) => c.join(" <-> ")).join("\n  ")}`);
});

test("the API's routes decide no permission and write no audit record (the core's use cases do)", () => {
  const deciding = sourceFiles(["functions/api"]).filter((file) =>
    /\b(authorize|authorizeGrant|roleAllows|auditActor)\(|\baudit\.record\(/.test(
      readFileSync(join(ROOT, file), "utf8"),
    ),
  );
  assert.deepEqual(deciding, []);
});
