/**
 * The HTTP API (Hono). The same app runs behind API Gateway in Lambda and on a node server in
 * local mode. Routes validate their input, call one use-case, and return; errors are
 * translated in one place (errors.ts).
 */

import { randomUUID } from "node:crypto";
import { AppError, Slug } from "@assay/shared";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { authenticate, resolveOrg } from "./auth.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import { createErrorHandler } from "./errors.ts";
import { agentTokenRoutes } from "./routes/agent-tokens.ts";
import { apiTokenRoutes } from "./routes/api-tokens.ts";
import { artifactRoutes } from "./routes/artifacts.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { envCredentialRoutes, orgCredentialRoutes } from "./routes/credentials.ts";
import { devOutboxRoutes } from "./routes/dev-outbox.ts";
import { envRoutes, envScopedRoutes } from "./routes/envs.ts";
import { executionRoutes } from "./routes/executions.ts";
import { insightRoutes } from "./routes/insights.ts";
import { invitationRoutes } from "./routes/invitations.ts";
import { logRoutes } from "./routes/logs.ts";
import { meRoutes } from "./routes/me.ts";
import { memberRoutes } from "./routes/members.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { orgRoutes } from "./routes/orgs.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { ssoRoutes } from "./routes/sso.ts";
import { templateRoutes } from "./routes/templates.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { workflowRoutes } from "./routes/workflows.ts";
import { parseInput } from "./validate.ts";

export type { ApiDeps, ApiEnv };

export function createApiApp(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  app.onError(createErrorHandler(deps.logger));
  app.notFound((c) =>
    c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
  );

  app.use("*", async (c, next) => {
    c.set("requestId", c.req.header("x-request-id")?.slice(0, 100) || randomUUID());
    c.header("x-request-id", c.get("requestId"));
    await next();
  });

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError("payload_too_large", "body: larger than the limit of 1 MiB (1048576 bytes)");
      },
    }),
  );
  app.use("/v1/*", authenticate(deps));
  app.use("/v1/orgs/:org/*", resolveOrg(deps));
  openApiRoutes(app, { devOutbox: deps.outbox !== undefined });
  if (deps.outbox) devOutboxRoutes(app, deps.outbox);
  authRoutes(app, deps);
  ssoRoutes(app, deps);
  meRoutes(app, deps);
  orgRoutes(app, deps);
  memberRoutes(app, deps);
  invitationRoutes(app, deps);
  apiTokenRoutes(app, deps);
  auditRoutes(app, deps);
  envRoutes(app, deps);
  orgCredentialRoutes(app, deps);

  // Authentication and the org's principal are already on the context (above); the core
  // answers 404 for an environment the org does not have.
  const scoped = new Hono<ApiEnv>();
  scoped.use("*", async (c, next) => {
    const envId = parseInput(Slug, c.req.param("env"), "env");
    await deps.tenancy.environments.get(c.get("principal"), envId);
    c.set("envId", envId);
    await next();
  });
  envScopedRoutes(scoped, deps);
  agentTokenRoutes(scoped, deps);
  workflowRoutes(scoped, deps);
  templateRoutes(scoped, deps);
  executionRoutes(scoped, deps);
  logRoutes(scoped, deps);
  artifactRoutes(scoped, deps);
  envCredentialRoutes(scoped, deps);
  webhookRoutes(scoped, deps);
  insightRoutes(scoped, deps);
  scheduleRoutes(scoped, deps);
  app.route("/v1/orgs/:org/envs/:env", scoped);
  return app;
}

export type ApiApp = ReturnType<typeof createApiApp>;
