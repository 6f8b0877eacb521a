import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { list } from "tar";
import { stageMasked } from "./mask-files.ts";
import { packArtifacts } from "./pack.ts";

const SECRET = "s3cr3t-value-1234";

describe("secret values masked in artifacts' text files", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "assay-mask-files-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("text masked (across 64 KiB read chunks), binaries linked byte for byte, modes and links kept", async () => {
    const base = join(dir, "ws");
    await mkdir(join(base, "out", "nested"), { recursive: true });
    await writeFile(join(base, "out", "a.log"), `one ${SECRET} two ${SECRET}\n`);
    // The value straddles the read stream's 64 KiB chunk border, several times over 1 MiB.
    const straddling = `${"y".repeat(65_536 - 5)}${SECRET}`.repeat(16);
    await writeFile(join(base, "out", "nested", "big.txt"), straddling);
    const binary = Buffer.concat([Buffer.from([0x89, 0x50, 0x00, 0x01]), Buffer.from(SECRET)]);
    await writeFile(join(base, "out", "image.png"), binary);
    await writeFile(join(base, "out", "run.sh"), `echo ${SECRET}\n`);
    await chmod(join(base, "out", "run.sh"), 0o750);
    await symlink("a.log", join(base, "out", "latest.log"));
    await writeFile(join(base, "out", "clean.txt"), "nothing secret here\n");

    const staging = join(dir, "staging");
    const masked = await stageMasked(base, ["out"], [SECRET], staging);
    assert.equal(masked, 3, "a.log, big.txt and run.sh");
    assert.equal(await readFile(join(staging, "out", "a.log"), "utf8"), "one ******** two ********\n");
    const big = await readFile(join(staging, "out", "nested", "big.txt"), "utf8");
    assert.equal(big, `${"y".repeat(65_536 - 5)}********`.repeat(16));
    assert.deepEqual(await readFile(join(staging, "out", "image.png")), binary, "binary untouched");
    assert.equal((await stat(join(staging, "out", "run.sh"))).mode & 0o777, 0o750);
    assert.equal(await readlink(join(staging, "out", "latest.log")), "a.log");
    assert.equal(await readFile(join(staging, "out", "clean.txt"), "utf8"), "nothing secret here\n");
  });

  test("packArtifacts bundles the masked copies and leaves the workspace as it was", async () => {
    const workspace = join(dir, "pack");
    await mkdir(join(workspace, "reports"), { recursive: true });
    await writeFile(join(workspace, "reports", "out.txt"), `token=${SECRET}\n`);
    const outFile = join(dir, "bundle.tar.gz");
    const packed = await packArtifacts({
      workspace,
      base: workspace,
      patterns: ["reports/**"],
      outFile,
      secrets: [SECRET],
    });
    assert.ok(packed.file);
    assert.equal("masked" in packed && packed.masked, 1);
    const contents = new Map<string, string>();
    await list({
      file: outFile,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => contents.set(entry.path, Buffer.concat(chunks).toString()));
      },
    });
    assert.equal(contents.get("reports/out.txt"), "token=********\n");
    assert.equal(await readFile(join(workspace, "reports", "out.txt"), "utf8"), `token=${SECRET}\n`);
    await assert.rejects(stat(`${outFile}.staging`), /ENOENT/, "the staging copy is removed");
  });
});
