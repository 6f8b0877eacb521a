/**
 * What the API's routes are given (ApiDeps) and find on the request context (ApiEnv). Kept apart
 * from app.ts so route files depend on this small module, not on the app that mounts them.
 */
import type { Context } from "hono";
import type { OrgPrincipal } from "../core/access.ts";
import type { ArtifactReads } from "../core/artifact-reads.ts";
import type { CredentialService } from "../core/credentials.ts";
import type { ExecutionService } from "../core/executions.ts";
import type { Insights } from "../core/insights/service.ts";
import type { LogFollower } from "../core/log-follow.ts";
import type { LogReads } from "../core/log-reads.ts";
import type { EnvRef } from "../core/ports/refs.ts";
import type { Bus, Logger, OrgStore, OutboxMailer } from "../core/ports.ts";
import type { Actor } from "../core/principals.ts";
import type { TemplateService } from "../core/templates.ts";
import type { Tenancy } from "../core/tenancy.ts";
import type { TokenService } from "../core/tokens.ts";
import type { ExecutionViews } from "../core/waiting.ts";
import type { WebhookService } from "../core/webhooks/service.ts";
import type { WorkflowSchedules } from "../core/workflow-schedules.ts";
import type { WorkflowService } from "../core/workflows.ts";

export interface ApiDeps {
  tokens: TokenService;
  orgs: OrgStore;
  workflows: WorkflowService;
  /** TestWorkflowTemplates; the routes answer 404 without it. */
  templates?: TemplateService;
  executions: ExecutionService;
  /** Executions read, started or re-run, queued ones with why they wait (core/waiting.ts). */
  executionViews: ExecutionViews;
  /** Stored log reads, authorized per call. */
  logReads: LogReads;
  /** Live log follows (core/log-follow.ts). */
  followLog: LogFollower;
  /** Artifact listing, downloads and test reports; the routes answer 404 without them. */
  artifactReads?: ArtifactReads;
  /** Organization and environment credentials; the routes answer 412 without them. */
  credentials?: CredentialService | undefined;
  /** Webhooks of environments; the routes answer 404 without them. */
  webhooks?: WebhookService;
  /** Insights of environments and workflows; the routes answer 404 without them. */
  insights?: Insights;
  /** Schedules as users manage them; the routes answer 404 without them. */
  workflowSchedules?: WorkflowSchedules | undefined;
  bus: Bus;
  logger: Logger;
  /** Accounts, orgs, members, environments, tokens, audit (core/tenancy.ts). */
  tenancy: Tenancy;
  /** Local mode only: the mail outbox, served at GET /v1/dev/outbox. */
  outbox?: OutboxMailer;
  /**
   * Longest a live log follow stays open, in milliseconds (unset: until the execution ends).
   * Behind a buffering gateway this bounds each response; clients resume with Last-Event-ID.
   */
  followMaxMs?: number;
  /** The client's IP address for rate limits and the audit log (socket or API Gateway). */
  clientIp?: (c: Context) => string | undefined;
}

/** Values routes find on the context. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    clientIp: string | undefined;
    /** Who authenticated (user session or API token). */
    actor: Actor;
    /** The actor's role in the org of the path (routes under /v1/orgs/:org). */
    principal: OrgPrincipal;
    orgId: string;
    envId: string;
  };
}

/** The environment of the path (routes under /v1/orgs/:org/envs/:env). */
export const envOf = (c: Context<ApiEnv>): EnvRef => ({ orgId: c.get("orgId"), envId: c.get("envId") });
