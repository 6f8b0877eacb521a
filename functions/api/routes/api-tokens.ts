/** API tokens of an organization: create (secret shown once), list, revoke. */
import { CreateApiTokenBody, TokenView } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { authErrors, itemsOf, OrgParams, TokenParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

export const apiTokenSpecs = {
  create: defineRoute({
    method: "post",
    path: "/v1/orgs/:org/api-tokens",
    summary: "Create an API token (admin; role up to the caller's); the secret (asy_api_...) is shown once",
    tag: "tokens",
    auth: "any",
    params: OrgParams,
    body: CreateApiTokenBody,
    responses: {
      201: { description: "Created", schema: z.object({ token: TokenView, secret: z.string() }) },
      ...authErrors,
    },
  }),
  list: defineRoute({
    method: "get",
    path: "/v1/orgs/:org/api-tokens",
    summary: "API tokens (admin; no secrets), with last-used times",
    tag: "tokens",
    auth: "any",
    params: OrgParams,
    responses: { 200: { description: "Tokens", schema: itemsOf(TokenView) }, ...authErrors },
  }),
  revoke: defineRoute({
    method: "delete",
    path: "/v1/orgs/:org/api-tokens/:id",
    summary: "Revoke an API token (admin)",
    tag: "tokens",
    auth: "any",
    params: TokenParams,
    responses: { 204: { description: "Revoked" }, ...authErrors },
  }),
};

export function apiTokenRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { tokens } = deps.tenancy;

  app.post(apiTokenSpecs.create.path, async (c) => {
    const body = parseInput(apiTokenSpecs.create.body, await readJson(c.req.raw), "body");
    return c.json(await tokens.createApiToken(c.get("principal"), body, requestMeta(c)), 201);
  });

  app.get(apiTokenSpecs.list.path, async (c) =>
    c.json({ items: await tokens.listApiTokens(c.get("principal")) }),
  );

  app.delete(apiTokenSpecs.revoke.path, async (c) => {
    const { id } = parseInput(apiTokenSpecs.revoke.params, c.req.param(), "path");
    await tokens.revokeApiToken(c.get("principal"), id, requestMeta(c));
    return c.body(null, 204);
  });
}
