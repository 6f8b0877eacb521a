/**
 * Issued agent identities for the tests' hand-driven protocol clients: each name a test uses
 * ("agent-redeliver") is registered once per control plane and token, so connecting again
 * under that name is the same agent reconnecting (same identity, same process instance).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { AgentGatewayClient, type Refusal, Refusal_Reason, refusalIn } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";

export interface TestIdentity {
  agentId: string;
  agentSecret: string;
  instanceId: string;
}

const known = new Map<string, Promise<TestIdentity | undefined>>();

/** Registers `name` over `client` (once per target, token and name); undefined when refused. */
export function identityFor(
  client: AgentGatewayClient,
  target: string,
  token: string,
  name: string,
): Promise<TestIdentity | undefined> {
  const key = `${target}|${token}|${name}`;
  let identity = known.get(key);
  if (!identity) {
    identity = registerOnce(client, token, name).then((issued) => {
      if (!issued) known.delete(key);
      return issued;
    });
    known.set(key, identity);
  }
  return identity;
}

/**
 * One registration; undefined (and not cached) when the control plane refused it. A rate limit
 * is waited out as an agent does (its retry-after plus jitter), so a large simulated fleet
 * registers more slowly rather than not at all.
 */
export async function registerOnce(
  client: AgentGatewayClient,
  token: string,
  hostname: string,
): Promise<TestIdentity | undefined> {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  for (;;) {
    const answer = await new Promise<{ identity?: TestIdentity; retryAfterMs?: number }>((resolve) => {
      client.register({ hostname, agentVersion: "test", platform: "linux" }, metadata, (error, response) => {
        const refusal = refusalIn(error?.metadata);
        if (refusal?.reason === Refusal_Reason.REASON_RATE_LIMITED)
          return resolve({ retryAfterMs: Number(refusal.retryAfterMs) });
        if (error || !response) return resolve({});
        resolve({
          identity: {
            agentId: response.agentId,
            agentSecret: response.agentSecret,
            instanceId: `test-${randomBytes(8).toString("hex")}`,
          },
        });
      });
    });
    const wait = answer.retryAfterMs;
    if (wait === undefined) return answer.identity;
    await new Promise((r) => setTimeout(r, wait + Math.random() * 1000));
  }
}

/** The identity fields of a Hello: the issued ones, or the bare name when registration was refused. */
export const helloIdentity = (issued: TestIdentity | undefined, name: string) => ({
  agentId: issued?.agentId ?? name,
  agentSecret: issued?.agentSecret ?? "",
  instanceId: issued?.instanceId ?? "unregistered",
});

/**
 * One Register call over TLS to `address` (host:port, the certificate names localhost) on its
 * own connection; resolves with the status it ended with (OK: 0) and its refusal.
 */
export const registerCall = (address: string, caFile: string, token: string) => {
  const client = new AgentGatewayClient(address, grpc.credentials.createSsl(readFileSync(caFile)), {
    "grpc.ssl_target_name_override": "localhost",
  });
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return new Promise<{ code: number; details: string; refusal?: Refusal }>((resolve) =>
    client.register({ hostname: "h", agentVersion: "test", platform: "linux" }, metadata, (error) => {
      client.close();
      resolve(
        error
          ? { code: error.code, details: error.details, refusal: refusalIn(error.metadata) }
          : { code: grpc.status.OK, details: "" },
      );
    }),
  );
};
