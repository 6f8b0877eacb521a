/**
 * A registry whose pulls crawl, for tests: Debian's `docker-registry` on loopback behind a
 * throttling TCP proxy (also on loopback; the engine trusts 127.0.0.0/8 registries as plain
 * HTTP). One image is pushed to it; pulling it through the proxy sends the first 16 KiB of a
 * response at once, then one 4 KiB piece a second. Neither local tag stays, so the engine finds
 * no layer present and downloads everything.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { buildBusyboxImage, SHELL_APPLETS } from "./test-images.ts";

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

/** A slow registry holding one busybox shell image, named `image` through the proxy. */
export interface SlowRegistry {
  /** The image's reference through the throttling proxy. */
  readonly image: string;
  /** The proxy's client connections now open (the engine pulling). */
  readonly open: ReadonlySet<Socket>;
  /** Stops the proxy and the registry, removes the pulled image and the registry's files. */
  stop(): Promise<void>;
}

/**
 * Serves Debian's `docker-registry` from `dir` on a free loopback port, with `extra` lines of
 * configuration (auth); resolves once `/v2/` answers with `upStatus`.
 */
export const serveRegistry = async (
  dir: string,
  extra: string[] = [],
  upStatus = 200,
): Promise<{ port: number; process: ChildProcess }> => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const config = [
    "version: 0.1",
    "log: {level: error}",
    `storage: {filesystem: {rootdirectory: ${join(dir, "data")}}}`,
    `http: {addr: "127.0.0.1:${port}"}`,
    ...extra,
  ];
  await writeFile(join(dir, "config.yml"), config.join("\n"));
  const registry = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.status === upStatus,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, process: registry };
};

/** Pushes the local image `ref` (`host:port/repo:tag`), failing on any error the engine reports. */
export const pushImage = async (docker: Docker, ref: string, authconfig: Record<string, string>) => {
  const pushed = await docker.getImage(ref).push({ authconfig });
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(pushed, (error: Error | null, events: Array<{ error?: string }>) =>
      error || events.some((e) => e.error)
        ? reject(error ?? new Error(JSON.stringify(events)))
        : resolve(null),
    ),
  );
};

/** Starts the registry and pushes the image (`name` keeps concurrent users apart). */
export const startSlowRegistry = async (docker: Docker, name: string): Promise<SlowRegistry> => {
  const dir = await mkdtemp(join(tmpdir(), "assay-slow-registry-"));
  const { port, process: registry } = await serveRegistry(dir);
  const local = `assay-test/${name}-source:${process.pid}`;
  await buildBusyboxImage(docker, { tag: local, applets: SHELL_APPLETS });
  const repo = `127.0.0.1:${port}/${name}-${process.pid}/app`;
  await docker.getImage(local).tag({ repo, tag: "1" });
  await pushImage(docker, `${repo}:1`, { serveraddress: `127.0.0.1:${port}` });
  // Neither tag may stay: the engine would find the layer present and download nothing.
  await docker.getImage(`${repo}:1`).remove();
  await docker.getImage(local).remove();
  const proxy = await startSlowProxy(port);
  const image = `127.0.0.1:${proxy.port}/${name}-${process.pid}/app:1`;
  return {
    image,
    open: proxy.open,
    stop: async () => {
      await docker
        .getImage(image)
        .remove()
        .catch(() => undefined);
      await docker
        .getImage(local)
        .remove()
        .catch(() => undefined);
      proxy.close();
      registry.kill("SIGTERM");
      await rm(dir, { recursive: true, force: true });
    },
  };
};
