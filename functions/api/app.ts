/**
 * The HTTP API (Hono). The same app runs behind API Gateway in Lambda and on a node server in
 * local mode. Routes validate their input, call one use-case, and return; errors are
 * translated in one place (errors.ts).
 */
import { randomUUID } from "node:crypto";
import { AppError, Slug } from "@assay/shared";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ExecutionService } from "../core/executions.ts";
import type { LogService } from "../core/logs.ts";
import type { Bus, Logger, TenantStore } from "../core/ports.ts";
import type { ApiPrincipal, TokenService } from "../core/tokens.ts";
import type { WorkflowService } from "../core/workflows.ts";
import { createErrorHandler } from "./errors.ts";
import { executionRoutes } from "./routes/executions.ts";
import { logRoutes } from "./routes/logs.ts";
import { workflowRoutes } from "./routes/workflows.ts";
import { parseInput } from "./validate.ts";

export interface ApiDeps {
  tokens: TokenService;
  tenants: TenantStore;
  workflows: WorkflowService;
  executions: ExecutionService;
  logs: LogService;
  bus: Bus;
  logger: Logger;
}

/** Values routes find on the context. */
export interface ApiEnv {
  Variables: { requestId: string; principal: ApiPrincipal; orgId: string; envId: string };
}

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

  const scoped = new Hono<ApiEnv>();
  scoped.use(
    "*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new AppError("invalid_argument", "body: larger than 1 MiB");
      },
    }),
  );
  scoped.use("*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const secret = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const principal = await deps.tokens.authenticateApi(secret);
    const orgId = parseInput(Slug, c.req.param("org"), "org");
    const envId = parseInput(Slug, c.req.param("env"), "env");
    if (principal.orgId !== orgId) throw new AppError("not_found", `organization ${orgId} not found`);
    if (!(await deps.tenants.getEnv(orgId, envId)))
      throw new AppError("not_found", `environment ${envId} not found`);
    c.set("principal", principal);
    c.set("orgId", orgId);
    c.set("envId", envId);
    await next();
  });
  workflowRoutes(scoped, deps);
  executionRoutes(scoped, deps);
  logRoutes(scoped, deps);
  app.route("/v1/orgs/:org/envs/:env", scoped);
  return app;
}

export type ApiApp = ReturnType<typeof createApiApp>;
