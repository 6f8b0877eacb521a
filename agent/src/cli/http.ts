/**
 * A minimal HTTP(S) request on node:http, rather than fetch, because local mode serves a
 * self-signed certificate that the CLI trusts with a CA file (fetch cannot take one per request
 * without another dependency), and log following needs the raw response stream.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  /** PEM CA to trust for https. */
  ca?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  /**
   * Where HTTP(S)_PROXY and NO_PROXY are read (Node's own proxy support: plain requests for
   * http, CONNECT tunnels for https); default the process environment.
   */
  proxyEnv?: NodeJS.ProcessEnv | undefined;
}

/** A connection-level failure, worded for people: "cannot reach http://x: connection refused". */
export class ConnectError extends Error {
  override name = "ConnectError";
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host not found (DNS lookup failed)",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed (pass its CA with local.json caFile)",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not trusted",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
};

/** Sends a request; resolves with the response (body unread) or rejects with a ConnectError. */
export const send = (req: HttpRequest): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const tls = req.url.protocol === "https:";
    const make = tls ? httpsRequest : httpRequest;
    const proxyEnv = req.proxyEnv ?? process.env;
    // One agent per request: the CLI makes a handful of calls, and the CA differs per target.
    const agent = tls ? new HttpsAgent({ proxyEnv, ca: req.ca }) : new HttpAgent({ proxyEnv });
    const outgoing = make(
      req.url,
      { method: req.method, headers: req.headers, ca: req.ca, signal: req.signal, agent },
      resolve,
    );
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (error.name === "AbortError") return reject(error);
      const reason = REASONS[error.code ?? ""] ?? error.message;
      reject(new ConnectError(`cannot reach ${req.url.origin}: ${reason}`));
    });
    outgoing.end(req.body);
  });

/** Reads a whole response body. */
export const readBody = async (response: IncomingMessage): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const part of response) parts.push(part as Buffer);
  return Buffer.concat(parts);
};
