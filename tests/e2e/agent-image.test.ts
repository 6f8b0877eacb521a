/**
 * The agent image (agent/Dockerfile, npm run build:agent-image) on the real Docker engine: it
 * runs as a non-root user, holds the bundle and nothing else of the repository (no
 * node_modules, no dev dependencies, no sources), and starts the CLI. Running it against a
 * control plane is agent-install.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { ASSAY_VERSION } from "@assay/shared/version";
import { buildAgentImage } from "../support/agent-image.ts";

const docker = (...args: string[]) =>
  execFileSync("docker", args, { encoding: "utf8", maxBuffer: 64 << 20 }).trim();

test("the agent image runs as non-root and holds only the bundle", async () => {
  const image = await buildAgentImage();
  const config = JSON.parse(docker("image", "inspect", image, "--format", "{{json .Config}}")) as {
    User: string;
    Entrypoint: string[];
  };
  assert.equal(config.User, "1000:1000");
  assert.equal(docker("run", "--rm", "--entrypoint", "id", image, "-u"), "1000");
  assert.equal(docker("run", "--rm", image, "--version"), ASSAY_VERSION);

  // Every file the image adds on top of its base: the unpacked tarball only.
  const container = docker("create", image);
  try {
    const files = execFileSync("sh", ["-c", `docker export ${container} | tar -t`], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
    }).split("\n");
    const agentFiles = files.filter((f) => f.startsWith("opt/assay-agent/") && !f.endsWith("/"));
    assert.ok(agentFiles.includes("opt/assay-agent/package/assay.js"));
    for (const f of agentFiles)
      assert.match(
        f,
        /^opt\/assay-agent\/(package\/(assay\.js|bin\.js|node-check\.js|package\.json|chunks\/[\w.-]+\.js)|bin\/busybox)$/,
      );
    assert.equal(files.filter((f) => f.includes("node_modules/")).length, 0, "no node_modules anywhere");
    const manifest = JSON.parse(
      docker("run", "--rm", "--entrypoint", "cat", image, "/opt/assay-agent/package/package.json"),
    ) as Record<string, unknown>;
    assert.equal(manifest.version, ASSAY_VERSION);
    for (const key of ["dependencies", "devDependencies", "optionalDependencies", "scripts"])
      assert.equal(manifest[key], undefined, `the package has no ${key}`);
  } finally {
    docker("rm", container);
  }
});
