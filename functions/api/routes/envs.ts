/**
 * Environments: list and create under the org; read, rename, delete, connected agents and
 * install commands under the environment (mounted on the env-scoped app, which has already
 * checked that the environment exists in the caller's org).
 */
import { AgentView, CreateEnvBody, Environment, UpdateEnvBody } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, EnvParams, ErrorResponse, itemsOf, OrgParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

export const ENV_BASE = "/v1/orgs/:org/envs/:env";

export const InstallCommandsView = z.object({
  ingressUrl: z.string(),
  agentTarballUrl: z.string(),
  tokenIncluded: z.boolean(),
  npx: z.string(),
  docker: z.string(),
  kubernetes: z.string(),
});

export const envSpecs = {
  list: defineRoute({
    method: "get",
    path: "/v1/orgs/:org/envs",
    summary: "Environments of the organization",
    tag: "environments",
    auth: "any",
    params: OrgParams,
    responses: { 200: { description: "Environments", schema: itemsOf(Environment) }, ...authErrors },
  }),
  create: defineRoute({
    method: "post",
    path: "/v1/orgs/:org/envs",
    summary: "Create an environment (admin; within the plan's limit)",
    tag: "environments",
    auth: "any",
    params: OrgParams,
    body: CreateEnvBody,
    responses: {
      201: { description: "Created", schema: Environment },
      409: { description: "The id is taken", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  get: defineRoute({
    method: "get",
    path: ENV_BASE,
    summary: "An environment",
    tag: "environments",
    auth: "any",
    params: EnvParams,
    responses: { 200: { description: "The environment", schema: Environment }, ...authErrors },
  }),
  update: defineRoute({
    method: "patch",
    path: ENV_BASE,
    summary: "Rename an environment (admin)",
    tag: "environments",
    auth: "any",
    params: EnvParams,
    body: UpdateEnvBody,
    responses: { 200: { description: "Updated", schema: Environment }, ...authErrors },
  }),
  delete: defineRoute({
    method: "delete",
    path: ENV_BASE,
    summary: "Delete an environment (admin): revokes its tokens, disconnects its agents, cleans up its runs",
    tag: "environments",
    auth: "any",
    params: EnvParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
  agents: defineRoute({
    method: "get",
    path: `${ENV_BASE}/agents`,
    summary: "Agents seen in the environment, online or offline by their last heartbeat",
    tag: "environments",
    auth: "any",
    params: EnvParams,
    responses: { 200: { description: "Agents", schema: itemsOf(AgentView) }, ...authErrors },
  }),
  install: defineRoute({
    method: "get",
    path: `${ENV_BASE}/install`,
    summary: "Commands that start an agent for this environment (npx, docker, Kubernetes)",
    tag: "environments",
    auth: "any",
    params: EnvParams,
    responses: { 200: { description: "Commands", schema: InstallCommandsView }, ...authErrors },
  }),
};

export function envRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { environments } = deps.tenancy;
  app.get(envSpecs.list.path, async (c) => c.json({ items: await environments.list(c.get("principal")) }));
  app.post(envSpecs.create.path, async (c) => {
    const body = parseInput(envSpecs.create.body, await readJson(c.req.raw), "body");
    return c.json(await environments.create(c.get("principal"), body, requestMeta(c)), 201);
  });
}

/** Routes of one environment, on the app mounted at ENV_BASE. */
export function envScopedRoutes(scoped: Hono<ApiEnv>, deps: ApiDeps) {
  const { environments } = deps.tenancy;
  const at = (path: string) => relativeTo(ENV_BASE, path);

  scoped.get(at(envSpecs.get.path), async (c) =>
    c.json(await environments.get(c.get("principal"), c.get("envId"))),
  );

  scoped.patch(at(envSpecs.update.path), async (c) => {
    const body = parseInput(envSpecs.update.body, await readJson(c.req.raw), "body");
    return c.json(await environments.update(c.get("principal"), c.get("envId"), body));
  });

  scoped.delete(at(envSpecs.delete.path), async (c) => {
    await environments.delete(c.get("principal"), c.get("envId"), requestMeta(c));
    return c.body(null, 204);
  });

  scoped.get(at(envSpecs.agents.path), async (c) =>
    c.json({ items: await environments.agents(c.get("principal"), c.get("envId")) }),
  );

  scoped.get(at(envSpecs.install.path), async (c) =>
    c.json(await environments.install(c.get("principal"), c.get("envId"))),
  );
}
