/**
 * A machine without Java: `npm start` names what is missing and the command that installs it,
 * before anything starts (no data directory, no ports).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { javaInstallCommand, parseJavaMajor } from "./prerequisites.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

test("npm start without java on PATH says so and how to install it, then exits before starting", () => {
  const dir = mkdtempSync(join(tmpdir(), "assay-nojava-"));
  try {
    const run = spawnSync(process.execPath, [MAIN], {
      encoding: "utf8",
      env: {
        PATH: join(dir, "empty-bin"),
        HOME: dir,
        ASSAY_DATA_DIR: join(dir, "data"),
        PORT: "0",
        ASSAY_INGRESS_PORT: "0",
      },
      timeout: 60_000,
    });
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stderr,
      /needs Java 17 or newer for the embedded DynamoDB Local, and found no `java` on PATH/,
    );
    assert.match(run.stderr, /Install it with:\n {2}\S/);
    assert.doesNotMatch(run.stdout, /Starting Assay/);
    assert.equal(existsSync(join(dir, "data")), false, "nothing was started or created");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the install command fits the operating system", () => {
  assert.equal(javaInstallCommand("darwin", ""), "brew install openjdk@17");
  assert.equal(javaInstallCommand("win32", ""), "winget install Microsoft.OpenJDK.17");
  assert.equal(
    javaInstallCommand("linux", "ID=ubuntu\nID_LIKE=debian\n"),
    "sudo apt-get install -y openjdk-17-jre-headless",
  );
  assert.equal(
    javaInstallCommand("linux", 'ID="rocky"\nID_LIKE="rhel centos fedora"\n'),
    "sudo dnf install -y java-17-openjdk-headless",
  );
  assert.equal(javaInstallCommand("linux", "ID=alpine\n"), "sudo apk add openjdk17-jre-headless");
});

test("java -version output gives the major version", () => {
  assert.equal(parseJavaMajor('openjdk version "17.0.13" 2024-10-15'), 17);
  assert.equal(parseJavaMajor('java version "1.8.0_392"'), 8);
  assert.equal(parseJavaMajor('openjdk version "21" 2023-09-19'), 21);
  assert.equal(parseJavaMajor("nothing"), undefined);
});
