/**
 * WebhookSender over node:http(s). Network safety lives here, at connect time:
 * - the host name is resolved by a `lookup` hook that refuses private, loopback, link-local,
 *   unique-local, CGNAT and other non-public ranges (unless allowed), and the socket connects to
 *   the very address that was checked, so DNS rebinding between check and connect cannot
 *   slip through;
 * - redirects are never followed (a 3xx is recorded as a failed attempt);
 * - the whole request is bounded by `timeoutMs`, and at most `maxResponseBytes` of the answer
 *   are read (the excerpt keeps the first 1 KiB).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { AppError } from "@assay/shared";
import ipaddr from "ipaddr.js";
import type { OutboundRequest, OutboundResult, WebhookSender } from "../../core/ports/webhook-sender.ts";
import type { Clock } from "../../core/ports.ts";

export interface WebhookSenderOptions {
  /** Allow loopback addresses (local mode's default, for trying webhooks out). */
  allowLoopback: boolean;
  /** Allow private, link-local and other non-public ranges too (self-hosted networks). */
  allowPrivate?: boolean;
  /** Times the whole-request bound and each attempt's latency. */
  clock: Clock;
  /** Whole-request bound in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Most bytes read of an answer (default 64 KiB). */
  maxResponseBytes?: number;
}

const EXCERPT_BYTES = 1024;

/** Which ranges a sender may reach. */
type AddressRules = Pick<WebhookSenderOptions, "allowLoopback" | "allowPrivate">;

/** Whether an address may be contacted under these options. */
export function addressAllowed(address: string, options: AddressRules): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range === "unicast") return true;
  if (range === "loopback") return options.allowLoopback || options.allowPrivate === true;
  // Multicast, broadcast, unspecified and reserved ranges are never webhook receivers.
  if (["multicast", "broadcast", "unspecified", "reserved"].includes(range)) return false;
  return options.allowPrivate === true;
}

/** A lookup that answers only allowed addresses. */
const guardedLookup =
  (options: AddressRules): LookupFunction =>
  (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const allowed = addresses.filter((a) => addressAllowed(a.address, options));
      if (allowed.length === 0) {
        const refused = new Error(`${hostname} resolves only to addresses webhooks may not reach`);
        (refused as NodeJS.ErrnoException).code = "EWEBHOOKREFUSED";
        return callback(refused, "", 0);
      }
      if (lookupOptions.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
      const first = allowed[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };

/**
 * node:http or node:https, imported on the first delivery: importing node:http loads Node's
 * fetch implementation (undici) with it, which the API Lambda's cold start would otherwise pay
 * for although most requests deliver no webhook.
 */
const httpClient = async (protocol: string): Promise<Pick<typeof import("node:http"), "request">> =>
  protocol === "https:" ? (await import("node:https")).default : (await import("node:http")).default;

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const lookup = guardedLookup(options);

  function checkUrl(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AppError("invalid_argument", "url: not a valid URL");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
      throw new AppError("invalid_argument", "url: must be http or https");
    }
    if (parsed.username || parsed.password) {
      throw new AppError("invalid_argument", "url: must not carry credentials (use headers)");
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, "");
    if (ipaddr.isValid(host) && !addressAllowed(host, options)) {
      throw new AppError("invalid_argument", `url: ${host} is an address webhooks may not reach`);
    }
    return parsed;
  }

  return {
    checkUrl: async (url) => void checkUrl(url),

    async send(request: OutboundRequest): Promise<OutboundResult> {
      let target: URL;
      try {
        target = checkUrl(request.url);
      } catch (error) {
        return { ok: false, refused: true, latencyMs: 0, error: (error as Error).message };
      }
      const client = await httpClient(target.protocol);
      const { clock } = options;
      const started = clock.now();
      const elapsed = () => Math.round(clock.now() - started);
      return new Promise<OutboundResult>((resolve) => {
        let settled = false;
        const finish = (result: OutboundResult) => {
          if (settled) return;
          settled = true;
          cancelTimer();
          resolve(result);
        };
        const req = client.request(
          target,
          {
            method: "POST",
            headers: { ...request.headers, "content-length": Buffer.byteLength(request.body) },
            lookup,
            agent: false,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            const done = () => {
              const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8");
              const status = res.statusCode ?? 0;
              const redirect = status >= 300 && status < 400;
              finish({
                ok: true,
                statusCode: status,
                latencyMs: elapsed(),
                excerpt: redirect ? `redirect to ${res.headers.location ?? "?"} not followed` : excerpt,
              });
            };
            res.on("data", (chunk: Buffer) => {
              const room = maxBytes - size;
              size += chunk.length;
              if (room > 0) chunks.push(chunk.subarray(0, room));
              if (size > maxBytes) {
                // Enough read: the rest of a large answer is not our business.
                done();
                res.destroy();
              }
            });
            res.on("end", done);
            res.on("error", done);
          },
        );
        const cancelTimer = clock.after(timeoutMs, () => {
          req.destroy(new Error(`no answer within ${timeoutMs} ms`));
        });
        req.on("error", (error: NodeJS.ErrnoException) => {
          finish({
            ok: false,
            refused: error.code === "EWEBHOOKREFUSED",
            latencyMs: elapsed(),
            error: error.message,
          });
        });
        req.end(request.body);
      });
    },
  };
}
