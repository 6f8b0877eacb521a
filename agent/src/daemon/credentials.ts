/**
 * The gRPC target and channel credentials for `--url`. `https://` is TLS, trusting the system
 * roots or `--ca-file` (a self-signed control plane); `--insecure` keeps TLS but skips
 * certificate verification (local use only; the caller prints a warning); `http://` is
 * plaintext, for a local control plane without TLS.
 */
import { readFileSync } from "node:fs";
import { type ChannelCredentials, credentials } from "@grpc/grpc-js";

export interface LinkTarget {
  /** `host:port` for grpc-js. */
  address: string;
  credentials: ChannelCredentials;
  /** Why this connection is less safe than it should be, if it is. */
  warning?: string | undefined;
}

export interface TargetOptions {
  url: string;
  caFile?: string | undefined;
  insecure?: boolean | undefined;
}

/** Resolves `--url` and the TLS options; throws an Error with a readable message when invalid. */
export const resolveTarget = (options: TargetOptions): LinkTarget => {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new Error(`--url must be a URL such as https://ingress.example.com:443 (got "${options.url}")`);
  }
  const tls = url.protocol === "https:" || url.protocol === "grpcs:";
  if (!tls && url.protocol !== "http:" && url.protocol !== "grpc:") {
    throw new Error(`--url must start with https:// (got "${options.url}")`);
  }
  const port = url.port || (tls ? "443" : "80");
  const address = `${url.hostname.includes(":") ? `[${url.hostname}]` : url.hostname}:${port}`;
  if (!tls) {
    return {
      address,
      credentials: credentials.createInsecure(),
      warning: `plaintext connection to ${url.host}: the token travels unencrypted`,
    };
  }
  if (options.insecure) {
    const creds = credentials.createSsl(null, null, null, {
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    return {
      address,
      credentials: creds,
      warning: "--insecure: the control plane's certificate is not verified (local use only)",
    };
  }
  const ca = options.caFile === undefined ? null : readFileSync(options.caFile);
  return { address, credentials: credentials.createSsl(ca) };
};
