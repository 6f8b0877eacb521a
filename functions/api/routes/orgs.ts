/** Organizations: list, create, read, rename or change plan, delete. */
import { CreateOrgBody, OrgView, UpdateOrgBody } from "@assay/shared";
import type { Hono } from "hono";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { authErrors, ErrorResponse, itemsOf, OrgParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

export const orgSpecs = {
  list: defineRoute({
    method: "get",
    path: "/v1/orgs",
    summary: "Organizations the caller belongs to, with its role",
    tag: "orgs",
    auth: "any",
    responses: { 200: { description: "Organizations", schema: itemsOf(OrgView) }, 401: authErrors[401] },
  }),
  create: defineRoute({
    method: "post",
    path: "/v1/orgs",
    summary: "Create an organization (signed-in users); the caller becomes its owner",
    tag: "orgs",
    auth: "session",
    body: CreateOrgBody,
    responses: {
      201: { description: "Created", schema: OrgView },
      409: { description: "The id is taken", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  get: defineRoute({
    method: "get",
    path: "/v1/orgs/:org",
    summary: "An organization, its plan limits and the caller's role",
    tag: "orgs",
    auth: "any",
    params: OrgParams,
    responses: { 200: { description: "The organization", schema: OrgView }, ...authErrors },
  }),
  update: defineRoute({
    method: "patch",
    path: "/v1/orgs/:org",
    summary: "Rename (admin) or change the plan (owner)",
    tag: "orgs",
    auth: "any",
    params: OrgParams,
    body: UpdateOrgBody,
    responses: {
      200: { description: "Updated", schema: OrgView },
      409: { description: "The plan allows fewer environments than exist", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  delete: defineRoute({
    method: "delete",
    path: "/v1/orgs/:org",
    summary: "Delete the organization (owner): environments, tokens, members; the id stays reserved",
    tag: "orgs",
    auth: "any",
    params: OrgParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
};

export function orgRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { orgs } = deps.tenancy;

  app.get(orgSpecs.list.path, async (c) => c.json({ items: await orgs.list(c.get("actor")) }));

  app.post(orgSpecs.create.path, async (c) => {
    const body = parseInput(orgSpecs.create.body, await readJson(c.req.raw), "body");
    return c.json(await orgs.create(c.get("actor"), body, requestMeta(c)), 201);
  });

  app.get(orgSpecs.get.path, async (c) => c.json(await orgs.get(c.get("principal"))));

  app.patch(orgSpecs.update.path, async (c) => {
    const body = parseInput(orgSpecs.update.body, await readJson(c.req.raw), "body");
    return c.json(await orgs.update(c.get("principal"), body, requestMeta(c)));
  });

  app.delete(orgSpecs.delete.path, async (c) => {
    await orgs.delete(c.get("principal"), requestMeta(c));
    return c.body(null, 204);
  });
}
