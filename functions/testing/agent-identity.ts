/**
 * Issued agent identities for the tests' hand-driven protocol clients: each name a test uses
 * ("agent-redeliver") is registered once per control plane and token, so connecting again
 * under that name is the same agent reconnecting (same identity, same process instance).
 */
import { randomBytes } from "node:crypto";
import type { AgentGatewayClient } from "@assay/shared/proto";
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

/** One Register call; undefined (and not cached) when the control plane refused it. */
export function registerOnce(
  client: AgentGatewayClient,
  token: string,
  hostname: string,
): Promise<TestIdentity | undefined> {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return new Promise((resolve) => {
    client.register({ hostname, agentVersion: "test", platform: "linux" }, metadata, (error, response) => {
      if (error || !response) return resolve(undefined);
      resolve({
        agentId: response.agentId,
        agentSecret: response.agentSecret,
        instanceId: `test-${randomBytes(8).toString("hex")}`,
      });
    });
  });
}

/** The identity fields of a Hello: the issued ones, or the bare name when registration was refused. */
export const helloIdentity = (issued: TestIdentity | undefined, name: string) => ({
  agentId: issued?.agentId ?? name,
  agentSecret: issued?.agentSecret ?? "",
  instanceId: issued?.instanceId ?? "unregistered",
});
