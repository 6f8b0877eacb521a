/**
 * Test harness: a real local control plane (DynamoDB Local in memory, fauxqs, in-process bus,
 * TLS ingress, HTTP API) in a temporary directory, plus a bootstrapped tenant. Used by the
 * control plane's own tests and by the end-to-end tests in tests/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Logger } from "../core/ports.ts";
import type { TenancySettings } from "../core/tenancy.ts";
import type { GatewayConfig } from "../ingress/agent-gateway.ts";
import { bootstrapLocal } from "../local/bootstrap.ts";
import { type ControlPlaneOptions, startControlPlane } from "../local/control-plane.ts";

/** A logger that keeps lines in memory (tests can assert what was, or was not, logged). */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
  return Object.assign(logger, { lines });
}

export async function startTestControlPlane(
  options: {
    gateway?: Partial<GatewayConfig>;
    natsUrl?: string;
    tenancy?: Partial<TenancySettings>;
    reaperIntervalMs?: number;
    webhooks?: ControlPlaneOptions["webhooks"];
  } = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), "assay-test-"));
  const logger = createMemoryLogger();
  const plane = await startControlPlane({
    dataDir,
    ephemeral: true,
    logger,
    gateway: options.gateway,
    natsUrl: options.natsUrl,
    reaperIntervalMs: options.reaperIntervalMs,
    tenancy: options.tenancy,
    webhooks: options.webhooks,
  });
  // Only the URLs: the state file is JSON, and the plane holds clients with circular references.
  const { apiUrl, ingressUrl, caFile } = plane;
  const { state } = await bootstrapLocal(plane.core, dataDir, { apiUrl, ingressUrl, caFile });
  return {
    ...plane,
    ...state,
    dataDir,
    logger,
    /** `fetch` against the API with the owner token. */
    api(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${state.apiToken}`);
      return fetch(`${plane.apiUrl}${path}`, { ...init, headers });
    },
    envPath: `/v1/orgs/${state.orgId}/envs/${state.envId}`,
    /** Creates or replaces a workflow of the environment from YAML; throws unless stored. */
    async putWorkflow(name: string, yaml: string): Promise<void> {
      const res = await this.api(`${this.envPath}/workflows/${name}`, { method: "PUT", body: yaml });
      if (res.status !== 200 && res.status !== 201)
        throw new Error(`PUT ${name}: ${res.status} ${await res.text()}`);
    },
    /** Starts a run of a workflow through the API; resolves with the execution's id. */
    async startRun(name: string): Promise<string> {
      const res = await this.api(`${this.envPath}/workflows/${name}/executions`, {
        method: "POST",
        body: "{}",
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`run ${name}: ${res.status} ${body}`);
      return (JSON.parse(body) as { id: string }).id;
    },
    async stop() {
      await plane.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestControlPlane = Awaited<ReturnType<typeof startTestControlPlane>>;
