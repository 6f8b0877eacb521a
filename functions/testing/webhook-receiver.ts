/**
 * A real HTTP receiver on loopback for webhook tests: records every request (headers and body)
 * and answers with a chosen status; can be stopped and started again on the same port.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export async function startWebhookReceiver(options: { port?: number; status?: number } = {}) {
  const received: ReceivedRequest[] = [];
  let status = options.status ?? 200;
  let server: Server | undefined;
  let port = options.port ?? 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          received.push({
            path: req.url ?? "",
            headers: req.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          });
          res.writeHead(status, { "content-type": "text/plain" }).end(`received ${received.length}`);
        });
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    received,
    get url() {
      return `http://127.0.0.1:${port}/hook`;
    },
    setStatus(next: number) {
      status = next;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()).closeAllConnections());
    },
    start: listen,
    /** Waits until `predicate` holds over what was received (polling; fails after `timeoutMs`). */
    async waitFor(predicate: (r: ReceivedRequest[]) => boolean, what: string, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; got ${received.length} requests`);
        await sleep(50);
      }
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
