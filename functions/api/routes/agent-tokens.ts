/** Agent tokens of one environment: create (secret and install commands shown once), list, revoke. */
import { CreateAgentTokenBody, TokenView } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, EnvParams, EnvTokenParams, itemsOf } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";
import { ENV_BASE, InstallCommandsView } from "./envs.ts";

export const agentTokenSpecs = {
  create: defineRoute({
    method: "post",
    path: `${ENV_BASE}/agent-tokens`,
    summary: "Create an agent token (admin); the secret (asy_agent_...) is shown only in this answer",
    tag: "tokens",
    auth: "any",
    params: EnvParams,
    body: CreateAgentTokenBody,
    responses: {
      201: {
        description: "Created",
        schema: z.object({ token: TokenView, secret: z.string(), install: InstallCommandsView }),
      },
      ...authErrors,
    },
  }),
  list: defineRoute({
    method: "get",
    path: `${ENV_BASE}/agent-tokens`,
    summary: "Agent tokens of the environment (admin; no secrets)",
    tag: "tokens",
    auth: "any",
    params: EnvParams,
    responses: { 200: { description: "Tokens", schema: itemsOf(TokenView) }, ...authErrors },
  }),
  revoke: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/agent-tokens/:id`,
    summary: "Revoke an agent token (admin); its agents are disconnected within seconds",
    tag: "tokens",
    auth: "any",
    params: EnvTokenParams,
    responses: { 204: { description: "Revoked" }, ...authErrors },
  }),
};

export function agentTokenRoutes(scoped: Hono<ApiEnv>, deps: ApiDeps) {
  const { tokens } = deps.tenancy;
  const at = (path: string) => relativeTo(ENV_BASE, path);

  scoped.post(at(agentTokenSpecs.create.path), async (c) => {
    const body = parseInput(agentTokenSpecs.create.body, await readJson(c.req.raw), "body");
    return c.json(
      await tokens.createAgentToken(c.get("principal"), c.get("envId"), body, requestMeta(c)),
      201,
    );
  });

  scoped.get(at(agentTokenSpecs.list.path), async (c) =>
    c.json({ items: await tokens.listAgentTokens(c.get("principal"), c.get("envId")) }),
  );

  scoped.delete(at(agentTokenSpecs.revoke.path), async (c) => {
    const { id } = parseInput(agentTokenSpecs.revoke.params, c.req.param(), "path");
    await tokens.revokeAgentToken(c.get("principal"), c.get("envId"), id, requestMeta(c));
    return c.body(null, 204);
  });
}
