/**
 * Agent identities for the stream figure, issued before any server is measured. A real agent
 * registers once (its first start, an empty state directory) and every stream after that says
 * hello with the identity it kept, so the idle-stream figures open streams that way: the
 * identities are issued here, in the bench process, through the same use case Register runs
 * (core/agent-link/identities.ts) on the plane's stores, and the measured ingress only sees
 * hellos. What a first registration costs is measured apart (streams.ts, variant `first`).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createDynamoAgentIdentityStore } from "../../../functions/adapters/aws/dynamo-agent-identity-store.ts";
import { createAgentIdentities } from "../../../functions/core/agent-link/identities.ts";
import { systemClock } from "../../../functions/core/ports.ts";
import type { TestIdentity } from "../../../functions/testing/agent-identity.ts";
import type { BenchPlane } from "../lib/plane.ts";

/** Issues `count` identities in the plane's environment; resolves with the JSON file holding them. */
export async function issueIdentities(plane: BenchPlane, count: number): Promise<string> {
  const identities = createAgentIdentities({
    store: createDynamoAgentIdentityStore(plane.dynamo()),
    clock: systemClock,
  });
  const env = { orgId: plane.orgId, envId: plane.envId };
  const issued: TestIdentity[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        const { agentId, secret } = await identities.register(env, `bench-${i}`);
        issued[i] = { agentId, agentSecret: secret, instanceId: `bench-${i}-${agentId.slice(4, 16)}` };
      }
    }),
  );
  const file = join(plane.dataDir, "bench-identities.json");
  writeFileSync(file, JSON.stringify(issued));
  return file;
}
