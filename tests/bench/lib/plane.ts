/**
 * The local control plane as benchmarks use it: like the test harness, but with a quiet logger
 * (warnings only, to stderr) so log formatting is not part of what is measured, and optionally
 * durable (DynamoDB Local and fauxqs writing to disk, as `npm start` does) instead of in memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import pino from "pino";
import type { Logger } from "../../../functions/core/ports.ts";
import type { GatewayConfig } from "../../../functions/ingress/agent-gateway.ts";
import { bootstrapLocal } from "../../../functions/local/bootstrap.ts";
import { startControlPlane } from "../../../functions/local/control-plane.ts";

export const quietLogger = (): Logger => pino({ level: "warn" }, pino.destination(2));

export async function startBenchPlane(
  options: { durable?: boolean; natsUrl?: string; gateway?: Partial<GatewayConfig> } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "assay-bench-"));
  const plane = await startControlPlane({
    dataDir,
    ephemeral: !options.durable,
    logger: quietLogger(),
    natsUrl: options.natsUrl,
    gateway: options.gateway,
    // The bench's own work is the only load it should see.
    retentionIntervalMs: 0,
    reaperIntervalMs: 60_000,
  });
  const { apiUrl, ingressUrl, caFile } = plane;
  const { state } = await bootstrapLocal(plane.core, dataDir, { apiUrl, ingressUrl, caFile });
  return {
    ...plane,
    ...state,
    dataDir,
    envPath: `/v1/orgs/${state.orgId}/envs/${state.envId}`,
    /** `fetch` against the API with the owner token. */
    api(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${state.apiToken}`);
      return fetch(`${plane.apiUrl}${path}`, { ...init, headers });
    },
    /** An S3 client on the plane's object store (fauxqs), configured as the adapters' are. */
    s3Client() {
      const env = plane.runtimeEnv();
      return new S3Client({
        endpoint: env.AWS_ENDPOINT_URL_S3,
        region: env.AWS_REGION,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        forcePathStyle: true,
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      });
    },
    /** Creates or replaces a workflow from YAML. */
    async applyWorkflow(name: string, yaml: string) {
      const res = await this.api(`${this.envPath}/workflows/${name}`, {
        method: "PUT",
        headers: { "content-type": "application/yaml" },
        body: yaml,
      });
      if (!res.ok) throw new Error(`apply ${name}: ${res.status} ${await res.text()}`);
    },
    /** Starts a run of a workflow; resolves with the execution id. */
    async run(name: string): Promise<string> {
      const res = await this.api(`${this.envPath}/workflows/${name}/executions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      if (res.status !== 201 && res.status !== 202 && res.status !== 200) {
        throw new Error(`run ${name}: ${res.status} ${await res.text()}`);
      }
      return ((await res.json()) as { id: string }).id;
    },
    async stop() {
      await plane.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type BenchPlane = Awaited<ReturnType<typeof startBenchPlane>>;

/** A one-step workflow; the raw agents of the benchmarks never run it. */
export const workflowYaml = (name: string, shell = "true") => `apiVersion: testworkflows.testkube.io/v1
kind: TestWorkflow
metadata:
  name: ${name}
spec:
  steps:
    - name: run
      shell: ${JSON.stringify(shell)}
`;
