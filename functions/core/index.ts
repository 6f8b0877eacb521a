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
import { withRunSlots } from "./run-slots.ts";
import { createTenancy, type TenancyPorts, type TenancySettings } from "./tenancy.ts";
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
  /** Accounts, orgs, members, sessions, audit, rate limits, presence, mail. */
  tenancy: TenancyPorts;
}

export interface CoreOptions {
  /** Public URLs, agent package/image and rate limits of the accounts layer. */
  tenancy?: Partial<TenancySettings>;
}

export function createCore(rawPorts: CorePorts, options: CoreOptions = {}) {
  // Every writer of executions goes through run slots (the plan's concurrency limit).
  const executionStore = withRunSlots(rawPorts.executions, {
    slots: rawPorts.tenancy.runSlots,
    tenants: rawPorts.tenants,
  });
  const ports: CorePorts = { ...rawPorts, executions: executionStore };
  const { clock, bus, jobs } = ports;
  const workflows = createWorkflowService({ workflows: ports.workflows, clock });
  const tokens = createTokenService({ tokens: ports.tokens, clock });
  return {
    ports,
    tokens,
    workflows,
    executions: createExecutionService({ executions: ports.executions, workflows, bus, jobs, clock }),
    work: createAgentWork({ executions: ports.executions, bus, jobs, clock }),
    logs: createLogService({ blobs: ports.logBlobs, bus }),
    tenancy: createTenancy({
      ports: ports.tenancy,
      tenants: ports.tenants,
      tokens: ports.tokens,
      issuer: tokens,
      workflows: ports.workflows,
      executions: ports.executions,
      jobs,
      clock,
      logger: ports.logger,
      settings: options.tenancy,
    }),
  };
}

export type Core = ReturnType<typeof createCore>;
