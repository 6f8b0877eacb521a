/**
 * Abort during an image pull: Debian's `docker-registry` on loopback behind a throttling TCP
 * proxy (also on loopback), so the engine's layer download crawls. The run is aborted while the
 * pull is in progress; it must end `aborted` without waiting for the pull, the image must not be
 * present afterwards, and the engine must have dropped its connections to the registry (it gave
 * the pull up instead of finishing it in the background).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type Docker from "dockerode";
import { buildBusyboxImage, requireDocker, SHELL_APPLETS } from "./test-images.ts";
import { runOnDocker } from "./test-run.ts";

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
};

/** Forwards to `port`; after the first 16 KiB of a response, one 4 KiB piece a second. */
const startSlowProxy = async (port: number) => {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    const upstream = createConnection(port, "127.0.0.1");
    client.pipe(upstream);
    let sent = 0;
    const queue: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drip = () => {
      timer = undefined;
      const next = queue.shift();
      if (next === undefined) return upstream.resume();
      client.write(next);
      timer = setTimeout(drip, 1000);
    };
    upstream.on("data", (chunk: Buffer) => {
      if (sent < 16 * 1024 && queue.length === 0) {
        sent += chunk.length;
        client.write(chunk);
        return;
      }
      for (let i = 0; i < chunk.length; i += 4096) queue.push(chunk.subarray(i, i + 4096));
      upstream.pause();
      timer ??= setTimeout(drip, 1000);
    });
    const close = () => {
      if (timer !== undefined) clearTimeout(timer);
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
    upstream.on("end", () => client.end());
  });
  return { port: await listen(server), open, close: () => server.close() };
};

describe("Docker runtime: abort during an image pull", () => {
  let docker: Docker;
  let dir: string;
  let registry: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof startSlowProxy>> | undefined;
  let slowImage = "";
  const local = `assay-test/pull-abort-source:${process.pid}`;

  before(async () => {
    docker = await requireDocker();
    dir = await mkdtemp(join(tmpdir(), "assay-pull-abort-"));
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    await writeFile(
      join(dir, "config.yml"),
      [
        "version: 0.1",
        "log: {level: error}",
        `storage: {filesystem: {rootdirectory: ${join(dir, "data")}}}`,
        `http: {addr: "127.0.0.1:${port}"}`,
      ].join("\n"),
    );
    registry = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await buildBusyboxImage(docker, { tag: local, applets: SHELL_APPLETS });
    const repo = `127.0.0.1:${port}/assay-pull-abort-${process.pid}/app`;
    await docker.getImage(local).tag({ repo, tag: "1" });
    const pushed = await docker
      .getImage(`${repo}:1`)
      .push({ authconfig: { serveraddress: `127.0.0.1:${port}` } });
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(pushed, (error: Error | null, events: Array<{ error?: string }>) =>
        error || events.some((e) => e.error)
          ? reject(error ?? new Error(JSON.stringify(events)))
          : resolve(null),
      ),
    );
    // Neither tag may stay: the engine would find the layer present and download nothing.
    await docker.getImage(`${repo}:1`).remove();
    await docker.getImage(local).remove();
    proxy = await startSlowProxy(port);
    // The same repository through the slow proxy (the engine trusts 127.0.0.0/8 registries).
    slowImage = `127.0.0.1:${proxy.port}/assay-pull-abort-${process.pid}/app:1`;
  });
  after(async () => {
    await docker
      ?.getImage(slowImage)
      .remove()
      .catch(() => undefined);
    await docker
      ?.getImage(local)
      .remove()
      .catch(() => undefined);
    proxy?.close();
    registry?.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  it("stops the pull and ends the run aborted", async () => {
    const yaml = `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: slow}\nspec:\n  steps:\n  - name: Slow image\n    run:\n      image: "${slowImage}"\n      shell: echo should-not-run\n`;
    let abort: ((reason: string) => void) | undefined;
    let settled = false;
    const outcome = runOnDocker(docker, dir, yaml, { onStart: (run) => (abort = run.abort) });
    void outcome.finally(() => (settled = true));
    // Abort once the engine is downloading through the proxy.
    for (let i = 0; i < 600 && !settled && (proxy?.open.size ?? 0) === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    if (settled) assert.fail(`the run ended before the pull got going:\n${(await outcome).log}`);
    assert.ok((proxy?.open.size ?? 0) > 0, "the engine never connected to the registry");
    await new Promise((r) => setTimeout(r, 1500));
    abort?.("stopped by the test");
    const run = await outcome;
    assert.equal(run.result.status, "aborted", `${run.result.message}\n${run.log}`);
    assert.equal(run.step("Slow image")?.status, "aborted");
    assert.match(run.log, /\[assay\] pulling image/);
    assert.match(run.log, /\[assay\] pull of .* stopped/);
    assert.doesNotMatch(run.log, /should-not-run/);
    // The engine gave the pull up: its registry connections close and no image appears.
    for (let i = 0; i < 300 && (proxy?.open.size ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(proxy?.open.size, 0, "the engine kept pulling after the abort");
    const present = await docker
      .getImage(slowImage)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    assert.equal(present, false);
  });
});
