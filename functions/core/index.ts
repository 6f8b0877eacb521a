/**
 * Builds the core services from ports. Composition roots (local, Lambda, ingress container)
 * call this with their adapters; nothing here knows which backend is behind a port.
 */
import { createAgentWork } from "./agent-work.ts";
import { createExecutionService } from "./executions.ts";
import { createLogService } from "./logs.ts";
import type {
  BlobStore,
  Bus,
  Clock,
  ExecutionStore,
  JobQueue,
  Logger,
  TenantStore,
  TokenStore,
  WorkflowStore,
} from "./ports.ts";
import { createTokenService } from "./tokens.ts";
import { createWorkflowService } from "./workflows.ts";

export interface CorePorts {
  tenants: TenantStore;
  tokens: TokenStore;
  workflows: WorkflowStore;
  executions: ExecutionStore;
  logBlobs: BlobStore;
  artifactBlobs: BlobStore;
  bus: Bus;
  jobs: JobQueue;
  clock: Clock;
  logger: Logger;
}

export function createCore(ports: CorePorts) {
  const { clock, bus, jobs } = ports;
  const workflows = createWorkflowService({ workflows: ports.workflows, clock });
  return {
    ports,
    tokens: createTokenService({ tokens: ports.tokens, clock }),
    workflows,
    executions: createExecutionService({ executions: ports.executions, workflows, bus, jobs, clock }),
    work: createAgentWork({ executions: ports.executions, bus, jobs, clock }),
    logs: createLogService({ blobs: ports.logBlobs, bus }),
  };
}

export type Core = ReturnType<typeof createCore>;
