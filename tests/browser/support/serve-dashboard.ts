/**
 * Test support: serves the built dashboard (web/dist) with SPA fallback and proxies the API
 * paths to a control plane, so the browser sees one origin as it does in production (the
 * local server and CloudFront both serve the dashboard and /v1 together). Responses stream
 * through unbuffered, which server-sent events need.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json",
  ".json": "application/json",
  ".png": "image/png",
};

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

export async function serveDashboard(distDir: string, apiUrl: string): Promise<DashboardServer> {
  const api = new URL(apiUrl);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/v1/") || path === "/healthz") {
      const upstream = httpRequest(
        { hostname: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
      res.on("close", () => upstream.destroy());
      return;
    }
    const file = normalize(join(distDir, decodeURIComponent(path)));
    const inside = file.startsWith(distDir + sep);
    const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(distDir, "index.html");
    const hashed = target.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      "content-type": TYPES[extname(target)] ?? "application/octet-stream",
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
