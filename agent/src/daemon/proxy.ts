/**
 * Which HTTP CONNECT proxy, if any, the agent uses to reach a host: `HTTPS_PROXY` (or
 * `https_proxy`, then `HTTP_PROXY` / `http_proxy`) unless the host matches `NO_PROXY` (or
 * `no_proxy`): `*`, a host name or domain suffix (`example.com` and `.example.com` both match
 * `a.example.com`), an IP, a CIDR range (`10.0.0.0/8`), each optionally with `:port`.
 *
 * grpc-js has proxy support of its own but reads only the lower-case variables and no `*`; the
 * agent decides here and hands grpc-js the answer (see `grpcProxyOptions`), so both spellings
 * and the common NO_PROXY forms behave as curl users expect.
 */
import { BlockList, isIP } from "node:net";

/** The proxy URL for `host:port`, or undefined to connect directly. */
export const proxyFor = (
  host: string,
  port: number,
  env: Record<string, string | undefined>,
): string | undefined => {
  const proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? "")
    .split(/[,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  for (const entry of noProxy) {
    if (entry === "*") return undefined;
    const [pattern, entryPort] = splitPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (pattern.includes("/") && isIP(name) !== 0) {
      const [base, bits] = pattern.split("/");
      const family = isIP(base ?? "") === 6 ? "ipv6" : "ipv4";
      const list = new BlockList();
      try {
        list.addSubnet(base ?? "", Number(bits), family);
        if (list.check(name, isIP(name) === 6 ? "ipv6" : "ipv4")) return undefined;
      } catch {
        // Not a valid range: ignore the entry.
      }
      continue;
    }
    const bare = pattern.replace(/^\*?\./, "");
    if (name === bare || name.endsWith(`.${bare}`)) return undefined;
  }
  return proxy;
};

const splitPort = (entry: string): [string, number | undefined] => {
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null)
    return [bracketed[1] ?? "", bracketed[2] === undefined ? undefined : Number(bracketed[2])];
  const colon = entry.lastIndexOf(":");
  // More than one colon without brackets: a bare IPv6 address, no port.
  if (colon < 0 || entry.indexOf(":") !== colon) return [entry, undefined];
  const port = Number(entry.slice(colon + 1));
  return Number.isInteger(port) ? [entry.slice(0, colon), port] : [entry, undefined];
};

/**
 * Channel options for grpc-js to reach `address` (`host:port`). grpc-js reads the proxy from
 * `process.env.grpc_proxy`, so that variable is set (or the proxy is switched off for the
 * channel); `no_grpc_proxy` is pinned to a name that never matches so our decision stands.
 */
export const grpcProxyOptions = (
  address: string,
  env: Record<string, string | undefined>,
): { options: Record<string, number>; proxy: string | undefined } => {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  const proxy = proxyFor(host, port, env);
  if (proxy === undefined) return { options: { "grpc.enable_http_proxy": 0 }, proxy };
  process.env.grpc_proxy = proxy;
  process.env.no_grpc_proxy = "no-proxy.invalid";
  return { options: {}, proxy };
};
