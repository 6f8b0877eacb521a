import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { evaluateExpression, type Value } from "@assay/shared/workflow";
import { type FileRoots, fileFunctions, globPattern } from "./file-functions.ts";

let workspace: string;
let outside: string;
before(async () => {
  workspace = await mkdtemp(join(tmpdir(), "assay-files-ws-"));
  outside = await mkdtemp(join(tmpdir(), "assay-files-host-"));
  for (const path of [
    "repo/b.js",
    "repo/a.js",
    "repo/.dot.js",
    "repo/x/c.js",
    "repo/x/y/d.ts",
    "repo/a.txt",
  ]) {
    await mkdir(join(workspace, path, ".."), { recursive: true });
    await writeFile(join(workspace, path), `content of ${path}`);
  }
  await writeFile(join(outside, "host.txt"), "on the host");
});
after(async () => {
  await rm(workspace, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const run = (expression: string, roots: Partial<FileRoots> = {}): Value =>
  evaluateExpression(expression, {
    variables: {},
    functions: fileFunctions({ workspace, workingDir: "/data/repo", hostPaths: true, ...roots }),
  });

describe("file() and glob()", () => {
  it("glob returns matching files as /data paths, walked in name order, with exclusions", () => {
    assert.deepEqual(run('glob("**/*.js")'), [
      "/data/repo/.dot.js",
      "/data/repo/a.js",
      "/data/repo/b.js",
      "/data/repo/x/c.js",
    ]);
    assert.deepEqual(run('glob("*.js", "!.*")'), ["/data/repo/a.js", "/data/repo/b.js"]);
    assert.deepEqual(run('glob("/data/repo/x/**")'), ["/data/repo/x/c.js", "/data/repo/x/y/d.ts"]);
    assert.deepEqual(run('glob("{a,b}.js", "x/?/[d-e].ts")'), [
      "/data/repo/a.js",
      "/data/repo/b.js",
      "/data/repo/x/y/d.ts",
    ]);
    assert.deepEqual(run('glob("a.txt")'), ["/data/repo/a.txt"], "a plain path is the file when it exists");
    assert.deepEqual(run('glob("missing/**")'), [], "a missing directory gives no files");
    assert.deepEqual(run('glob("x")'), [], "directories are never results");
    assert.deepEqual(run('glob("*.js")', { workingDir: undefined }), [], "the default working dir is /data");
  });

  it("file reads text relative to the working directory and names what is wrong", () => {
    assert.equal(run('file("a.js")'), "content of repo/a.js");
    assert.equal(run('file("../repo/x/c.js")'), "content of repo/x/c.js");
    assert.equal(run(`file("${outside}/host.txt")`), "on the host", "the process runtime reads the host");
    assert.throws(() => run('file("nope")'), /file\(nope\): \/data\/repo\/nope does not exist/);
    assert.throws(() => run('file("x")'), /file\(x\): \/data\/repo\/x is a directory/);
    assert.throws(() => run("file(1)"), /file\(\) expects a string argument/);
    assert.throws(() => run("glob()"), /glob\(\) takes at least one pattern/);
    assert.throws(() => run('glob("!a")'), /at least one pattern that is not an exclusion/);
  });

  it("in a container runtime reads only /data", () => {
    assert.deepEqual(run('glob("x/*")', { hostPaths: false }), ["/data/repo/x/c.js"]);
    assert.throws(
      () => run(`file("${outside}/host.txt")`, { hostPaths: false }),
      /is outside \/data; in a container runtime the agent reads only the execution's \/data/,
    );
  });

  it("translates doublestar patterns", () => {
    const matches = (pattern: string, path: string) => globPattern(pattern).test(path);
    assert.equal(matches("/a/**/*.js", "/a/b.js"), true);
    assert.equal(matches("/a/**/*.js", "/a/b/c/.d.js"), true);
    assert.equal(matches("/a/*.js", "/a/b/c.js"), false);
    assert.equal(matches("/a/[!b].js", "/a/b.js"), false);
    assert.equal(matches("/a/[!b].js", "/a/c.js"), true);
    assert.equal(matches("/a/{b,c/d}.js", "/a/c/d.js"), true);
    assert.equal(matches("/a/\\*.js", "/a/x.js"), false);
    assert.equal(matches("/a/(x).js", "/a/(x).js"), true, "regular expression characters are literal");
  });
});
