/**
 * The directories a step gets: whatever a previous step left at the outputs path, the step
 * finds an empty directory of mode 0777 there; a results directory is made when missing and
 * kept (with its files) when present.
 */
import assert from "node:assert/strict";
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { emptyDir, ensureDir, listDir, presentDir } from "./step-dirs.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "assay-step-dirs-test-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const assertEmptyDir = async (dir: string) => {
  const found = await lstat(dir);
  assert.ok(found.isDirectory() && !found.isSymbolicLink(), `${dir} is a directory`);
  assert.equal(found.mode & 0o777, 0o777);
  assert.deepEqual(await readdir(dir), []);
};

describe("emptyDir", () => {
  it("makes a missing directory and its parents", async () => {
    const dir = join(root, "missing", "a", "outputs");
    await emptyDir(dir, 0o777);
    await assertEmptyDir(dir);
  });

  it("gives an empty directory its mode back", async () => {
    const dir = join(root, "narrowed");
    await mkdir(dir);
    await chmod(dir, 0o500);
    await emptyDir(dir, 0o777);
    await assertEmptyDir(dir);
  });

  it("empties a directory a step wrote files and directories into", async () => {
    const dir = join(root, "written");
    await mkdir(join(dir, "sub"), { recursive: true });
    await writeFile(join(dir, "token"), "x");
    await writeFile(join(dir, ".hidden"), "x");
    await writeFile(join(dir, "sub", "deep"), "x");
    await emptyDir(dir, 0o777);
    await assertEmptyDir(dir);
  });

  it("replaces a file or a link standing where the directory belongs, leaving the link's target alone", async () => {
    const file = join(root, "file-there");
    await writeFile(file, "x");
    await emptyDir(file, 0o777);
    await assertEmptyDir(file);

    const target = join(root, "elsewhere");
    await mkdir(target);
    await chmod(target, 0o700);
    const link = join(root, "link-there");
    await symlink(target, link);
    await emptyDir(link, 0o777);
    await assertEmptyDir(link);
    assert.equal((await lstat(target)).mode & 0o777, 0o700);
  });
});

describe("ensureDir and presentDir", () => {
  // ensureDir gives an existing directory the mode again; presentDir leaves it as it is.
  for (const [make, kept] of [
    [ensureDir, 0o777],
    [presentDir, 0o755],
  ] as const) {
    it(`${make.name} makes a missing directory with the mode and keeps an existing one's files`, async () => {
      const dir = join(root, make.name, "one");
      await make(dir, 0o777);
      await assertEmptyDir(dir);
      await writeFile(join(dir, "app"), "x");
      await chmod(dir, 0o755);
      await make(dir, 0o777);
      assert.equal((await lstat(dir)).mode & 0o777, kept);
      assert.deepEqual(await readdir(dir), ["app"]);
    });
  }

  it("makes a directory beside earlier ones, as each step with an id gets its own", async () => {
    const parent = join(root, "steps");
    await mkdir(parent);
    for (const id of ["a", "b"]) await ensureDir(join(parent, id), 0o777);
    await assertEmptyDir(join(parent, "b"));
    assert.deepEqual((await readdir(parent)).sort(), ["a", "b"]);
  });

  it("fails naming the path when a file is in the way", async () => {
    const blocker = join(root, "blocker");
    await writeFile(blocker, "x");
    await assert.rejects(ensureDir(join(blocker, "one"), 0o777), (error: NodeJS.ErrnoException) => {
      assert.match(error.message, /blocker/);
      return true;
    });
  });
});

describe("listDir", () => {
  it("lists a directory's entries, and none of a missing one", async () => {
    const dir = join(root, "listed");
    await mkdir(dir);
    await writeFile(join(dir, "a"), "x");
    assert.deepEqual(
      listDir(dir).map((e) => [e.name, e.isFile()]),
      [["a", true]],
    );
    assert.deepEqual(listDir(join(root, "nothing-here")), []);
  });
});
