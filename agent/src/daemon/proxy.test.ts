import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readBody, send } from "../cli/http.ts";
import { startAgent } from "./agent.ts";
import { proxyFor } from "./proxy.ts";
import { makeCertificate, startTestGateway } from "./test-gateway.ts";

/** An HTTP CONNECT proxy on loopback that records the targets it tunnels to. */
const startConnectProxy = async () => {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once("data", (head) => {
      const match = /^CONNECT ([^ ]+) HTTP\/1\.[01]\r\n/.exec(head.toString("latin1"));
      if (match?.[1] === undefined) return client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
      targets.push(match[1]);
      const colon = match[1].lastIndexOf(":");
      const upstream = connect(Number(match[1].slice(colon + 1)), match[1].slice(0, colon), () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.pipe(client).pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    targets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
};

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "assay-proxy-test-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("proxy", () => {
  it("follows HTTPS_PROXY / NO_PROXY in both spellings and their common forms", () => {
    const p = "http://proxy:3128";
    assert.equal(proxyFor("a.example.com", 443, { HTTPS_PROXY: p }), p);
    assert.equal(proxyFor("a.example.com", 443, { https_proxy: p }), p);
    assert.equal(proxyFor("a.example.com", 443, { HTTP_PROXY: p }), p);
    assert.equal(proxyFor("a.example.com", 443, {}), undefined);
    for (const noProxy of ["*", "example.com", ".example.com", "a.example.com:443", "other, example.com"]) {
      assert.equal(proxyFor("a.example.com", 443, { HTTPS_PROXY: p, NO_PROXY: noProxy }), undefined, noProxy);
    }
    assert.equal(proxyFor("a.example.com", 443, { HTTPS_PROXY: p, NO_PROXY: "a.example.com:8443" }), p);
    assert.equal(proxyFor("badexample.com", 443, { HTTPS_PROXY: p, no_proxy: "example.com" }), p);
    assert.equal(proxyFor("10.1.2.3", 443, { HTTPS_PROXY: p, NO_PROXY: "10.0.0.0/8" }), undefined);
    assert.equal(proxyFor("11.1.2.3", 443, { HTTPS_PROXY: p, NO_PROXY: "10.0.0.0/8" }), p);
    assert.equal(proxyFor("[::1]", 443, { HTTPS_PROXY: p, NO_PROXY: "::1" }), undefined);
  });

  it("the agent's gRPC stream goes through an HTTP CONNECT proxy unless NO_PROXY says otherwise", async () => {
    const proxy = await startConnectProxy();
    const gateway = await startTestGateway();
    const port = new URL(gateway.url).port;
    const run = async (proxyEnv: Record<string, string>) => {
      const agent = await startAgent({
        url: gateway.url,
        token: "asy_agent_test",
        caFile: gateway.caFile,
        stateDir: join(dir, "state"),
        workDir: join(dir, "work"),
        proxyEnv,
        logger: { info: () => {}, warn: () => {}, error: () => {} },
      });
      const sessions = gateway.sessions.length;
      await gateway.waitFor("a session", () => gateway.sessions.length > sessions);
      await agent.stop("test over");
    };
    try {
      await run({ HTTPS_PROXY: proxy.url });
      const host = new URL(gateway.url).hostname;
      assert.deepEqual(proxy.targets, [`${host}:${port}`]);
      await run({ HTTPS_PROXY: proxy.url, NO_PROXY: host });
      assert.equal(proxy.targets.length, 1, "NO_PROXY bypassed the proxy");
    } finally {
      await gateway.close();
      await proxy.close();
      delete process.env.grpc_proxy;
      delete process.env.no_grpc_proxy;
    }
  });

  it("the CLI's HTTP client tunnels https through the proxy", async () => {
    const proxy = await startConnectProxy();
    const tls = makeCertificate();
    const server = createHttpsServer(
      { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
      (_req, res) => res.end("secret api"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const response = await send({
        method: "GET",
        url: new URL(`https://127.0.0.1:${port}/v1/x`),
        headers: {},
        ca: readFileSync(tls.certFile),
        proxyEnv: { HTTPS_PROXY: proxy.url },
      });
      assert.equal((await readBody(response)).toString(), "secret api");
      assert.deepEqual(proxy.targets, [`127.0.0.1:${port}`]);
    } finally {
      server.close();
      await proxy.close();
      await rm(tls.dir, { recursive: true, force: true });
    }
  });
});
