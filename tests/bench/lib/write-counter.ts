/**
 * Counts what a process writes to DynamoDB: an HTTP proxy on loopback in front of DynamoDB
 * Local, given to the process as AWS_ENDPOINT_URL_DYNAMODB, so the real adapters' calls are
 * counted as DynamoDB bills them. Each written item is one request; its write units are
 * ceil(item size / 1 KiB) (the item's JSON as sent stands in for DynamoDB's size, a slight
 * overestimate); a batch counts each of its items, a transaction each item twice (DynamoDB
 * charges transactional writes double).
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface WriteCounts {
  /** Items written (puts, updates, deletes; batches and transactions item by item). */
  items: number;
  /** Write request units as billed on demand. */
  units: number;
  /** Write calls by operation. */
  calls: Record<string, number>;
}

const units = (item: unknown) => Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item ?? {})) / 1024));

/** What one request body writes. */
function countRequest(target: string, body: string): { items: number; units: number } | undefined {
  const op = target.split(".").pop() ?? "";
  const parsed = JSON.parse(body || "{}") as Record<string, unknown>;
  switch (op) {
    case "PutItem":
      return { items: 1, units: units(parsed.Item) };
    case "UpdateItem":
    case "DeleteItem":
      return { items: 1, units: units(parsed) };
    case "BatchWriteItem": {
      const requests = Object.values((parsed.RequestItems ?? {}) as Record<string, unknown[]>).flat();
      return {
        items: requests.length,
        units: requests.reduce<number>(
          (sum, r) => sum + units((r as { PutRequest?: { Item?: unknown } }).PutRequest?.Item ?? r),
          0,
        ),
      };
    }
    case "TransactWriteItems": {
      const items = (parsed.TransactItems ?? []) as unknown[];
      return { items: items.length, units: items.reduce<number>((sum, i) => sum + 2 * units(i), 0) };
    }
    default:
      return undefined;
  }
}

export async function startWriteCounter(upstream: string) {
  const target = new URL(upstream);
  const counts: WriteCounts = { items: 0, units: 0, calls: {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const op = String(req.headers["x-amz-target"] ?? "");
      const written = countRequest(op, body.toString("utf8"));
      const forward = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (upstreamRes) => {
          // Counted once DynamoDB answered (a failed condition still consumes write units).
          if (written && (upstreamRes.statusCode ?? 500) < 500) {
            counts.items += written.items;
            counts.units += written.units;
            const name = op.split(".").pop() ?? op;
            counts.calls[name] = (counts.calls[name] ?? 0) + 1;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on("error", () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** A copy of the counts so far. */
    snapshot: (): WriteCounts => ({ ...counts, calls: { ...counts.calls } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
