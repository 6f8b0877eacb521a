/**
 * A loopback TCP proxy for fault injection: forwards connections to one of several targets
 * (round robin, like a layer-4 load balancer) and can cut the network in the two ways that
 * matter: `blackhole` (bytes are silently dropped in both directions and nothing is closed, as
 * when a route disappears: only timeouts can notice) and `reset` (every connection is destroyed).
 * Traffic never leaves 127.0.0.1.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export type ProxyMode = "pass" | "blackhole";

export interface TcpProxy {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  setMode(mode: ProxyMode): void;
  /** Destroys every open connection (peers see a reset or an abrupt close). */
  resetAll(): void;
  /** Replaces the targets new connections go to. */
  setTargets(ports: number[]): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPorts: number[]): Promise<TcpProxy> {
  let targets = [...targetPorts];
  let next = 0;
  let mode: ProxyMode = "pass";
  let accepted = 0;
  const pairs = new Set<[Socket, Socket]>();

  const server: Server = createServer((client) => {
    accepted++;
    const port = targets[next++ % Math.max(1, targets.length)];
    if (port === undefined) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect({ host: "127.0.0.1", port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on("data", (chunk) => {
        if (mode === "pass") to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop).on("error", drop);
    upstream.on("close", drop).on("error", drop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy did not bind");

  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    setMode(m) {
      mode = m;
    },
    resetAll() {
      for (const [a, b] of pairs) {
        a.resetAndDestroy();
        b.resetAndDestroy();
      }
      pairs.clear();
    },
    setTargets(ports) {
      targets = [...ports];
    },
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
