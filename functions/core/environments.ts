/**
 * Environments of an organization: list, create (within the plan's limit), read, rename,
 * delete; their connected agents and install commands.
 *
 * Deleting an environment revokes its agent tokens first (the ingress re-checks tokens every
 * 2 s and ends those agents' streams), then stops and deletes its executions (queueing the
 * cleanup of their logs and artifacts) and workflows, and deletes the environment last, so a
 * retried delete after a failure finishes the job.
 */
import {
  type AgentView,
  AppError,
  agentIsOutdated,
  type Environment,
  type Execution,
  isTerminal,
  runtimeOfCapabilities,
} from "@assay/shared";
import { authorize, type OrgPrincipal } from "./access.ts";
import { type AuditLog, auditActor } from "./audit.ts";
import { type InstallCommands, type InstallSettings, installCommands } from "./install.ts";
import type { Lifecycle } from "./lifecycle/lifecycle.ts";
import { limitsOf } from "./plans.ts";
import type { EnvRef } from "./ports/refs.ts";
import type {
  AgentPresenceStore,
  Clock,
  ExecutionStore,
  JobQueue,
  OrgStore,
  TokenStore,
  WorkflowStore,
} from "./ports.ts";
import { isOnline } from "./presence-rule.ts";
import type { RequestMeta } from "./principals.ts";

export function createEnvironmentService(deps: {
  orgStore: OrgStore;
  tokens: Pick<TokenStore, "listByOrg" | "revoke">;
  workflows: Pick<WorkflowStore, "list" | "delete">;
  executions: Pick<ExecutionStore, "list" | "delete">;
  lifecycle: Lifecycle;
  presence: Pick<AgentPresenceStore, "list">;
  jobs: JobQueue;
  audit: AuditLog;
  clock: Clock;
  install: InstallSettings;
}) {
  const { orgStore, audit, clock } = deps;
  const iso = () => new Date(clock.now()).toISOString();

  async function load({ orgId, envId }: EnvRef): Promise<Environment> {
    const env = await orgStore.getEnv({ orgId, envId });
    if (!env) throw new AppError("not_found", `environment ${envId} not found`);
    return env;
  }

  /** Stops a live execution (canceled if it never started), then deletes it and its data. */
  async function removeExecution(execution: Execution) {
    const { orgId, envId, id } = execution;
    if (!isTerminal(execution.status)) {
      const message = "the environment was deleted";
      const at = iso();
      const ref = { orgId, envId, id };
      await deps.lifecycle.apply(ref, "cancel", { set: { finishedAt: at, message } });
      await deps.lifecycle.apply(ref, "terminate", { set: { finishedAt: at, message } });
    }
    await deps.executions.delete({ orgId, envId, id });
    await deps.jobs.send({ kind: "cleanup", id, payload: { orgId, envId, executionId: id } });
  }

  /** The deletion cascade, shared with organization deletion. */
  async function purge(principal: OrgPrincipal, envId: string, meta: RequestMeta): Promise<void> {
    const orgId = principal.orgId;
    const now = iso();
    let tokensRevoked = 0;
    for (const token of await deps.tokens.listByOrg(orgId)) {
      if (token.kind === "agent" && token.envId === envId && !token.revokedAt) {
        await deps.tokens.revoke(orgId, token.id, now);
        tokensRevoked++;
      }
    }
    let executions = 0;
    let cursor: string | undefined;
    do {
      const page = await deps.executions.list({ orgId, envId }, {}, { limit: 100, cursor });
      for (const execution of page.items) await removeExecution(execution);
      executions += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    for (const workflow of await deps.workflows.list({ orgId, envId })) {
      await deps.workflows.delete({ orgId, envId }, workflow.name);
    }
    await orgStore.deleteEnv({ orgId, envId });
    await audit.record({
      orgId,
      action: "env.deleted",
      actor: auditActor(principal),
      target: { kind: "environment", id: envId },
      details: { agentTokensRevoked: String(tokensRevoked), executionsCleanedUp: String(executions) },
      meta,
    });
  }

  return {
    purge,

    async list(principal: OrgPrincipal): Promise<Environment[]> {
      authorize(principal, "read");
      return (await orgStore.listEnvs(principal.orgId)).sort((a, b) => a.id.localeCompare(b.id));
    },

    async create(
      principal: OrgPrincipal,
      input: { id: string; name?: string },
      meta: RequestMeta,
    ): Promise<Environment> {
      authorize(principal, "manage-envs");
      const org = await orgStore.getOrg(principal.orgId);
      if (!org || org.deletedAt) throw new AppError("not_found", `organization ${principal.orgId} not found`);
      const env: Environment = {
        orgId: org.id,
        id: input.id,
        name: input.name ?? input.id,
        createdAt: iso(),
      };
      await orgStore.createEnv(env, limitsOf(org.plan).environments);
      await audit.record({
        orgId: org.id,
        action: "env.created",
        actor: auditActor(principal),
        target: { kind: "environment", id: env.id },
        meta,
      });
      return env;
    },

    async get(principal: OrgPrincipal, envId: string): Promise<Environment> {
      authorize(principal, "read");
      return load({ orgId: principal.orgId, envId });
    },

    async update(principal: OrgPrincipal, envId: string, patch: { name: string }): Promise<Environment> {
      authorize(principal, "manage-envs");
      const env = await orgStore.updateEnv({ orgId: principal.orgId, envId }, patch, iso());
      if (!env) throw new AppError("not_found", `environment ${envId} not found`);
      return env;
    },

    async delete(principal: OrgPrincipal, envId: string, meta: RequestMeta): Promise<void> {
      authorize(principal, "manage-envs");
      await load({ orgId: principal.orgId, envId });
      await purge(principal, envId, meta);
    },

    /** Agents seen in the environment, newest connection first, with online/offline. */
    async agents(principal: OrgPrincipal, envId: string): Promise<AgentView[]> {
      authorize(principal, "read");
      await load({ orgId: principal.orgId, envId });
      const now = clock.now();
      return (await deps.presence.list({ orgId: principal.orgId, envId }))
        .map((p) => ({
          ...p,
          runtime: runtimeOfCapabilities(p.capabilities),
          status: isOnline(p, now) ? ("online" as const) : ("offline" as const),
          outdated: agentIsOutdated(p.version),
        }))
        .sort((a, b) => b.connectedAt.localeCompare(a.connectedAt));
    },

    async install(principal: OrgPrincipal, envId: string): Promise<InstallCommands> {
      authorize(principal, "read");
      await load({ orgId: principal.orgId, envId });
      return installCommands(deps.install, { orgId: principal.orgId, envId });
    },
  };
}

export type EnvironmentService = ReturnType<typeof createEnvironmentService>;
