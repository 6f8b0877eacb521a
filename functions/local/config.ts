/** Local mode's configuration: one schema, parsed once at start, defaults for a laptop. */
import { resolve } from "node:path";
import * as z from "zod";
import { PlatformProvidersJson } from "../core/sso/platform-providers.ts";

const Port = z.coerce.number().int().min(0).max(65535);

export const LocalConfig = z.object({
  /** Where data persists between starts (DynamoDB, objects, TLS certificate, local.json). */
  ASSAY_DATA_DIR: z.string().default(".assay"),
  /** HTTP port of the API (and, later, the dashboard). */
  PORT: Port.default(8080),
  /** gRPC (TLS) port agents connect to. */
  ASSAY_INGRESS_PORT: Port.default(8443),
  /** Interface to listen on; 127.0.0.1 keeps local mode private to this machine. */
  ASSAY_HOST: z.string().default("127.0.0.1"),
  /** Optional NATS server URL; without it an in-process bus is used. */
  ASSAY_NATS_URL: z.string().optional(),
  /** Set to 1 to start without the local agent. */
  ASSAY_NO_AGENT: z.enum(["0", "1"]).default("0"),
  /** Log level of the console (the full log goes to <data dir>/control-plane.log). */
  ASSAY_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("warn"),
  /**
   * Platform-wide OpenID Connect providers offered on the sign-in page, as a JSON array (see
   * docs/sso.md). Organizations configure their own provider in their settings instead.
   */
  ASSAY_SSO_PROVIDERS: PlatformProvidersJson,
  /** The dashboard's public URL when it is not this server's (a proxy in front); SSO redirects use it. */
  ASSAY_PUBLIC_WEB_URL: z.url().optional(),
});

export type LocalConfig = z.infer<typeof LocalConfig> & { dataDir: string };

export function loadLocalConfig(env: NodeJS.ProcessEnv): LocalConfig {
  const parsed = LocalConfig.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join("\n")}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.ASSAY_DATA_DIR) };
}
