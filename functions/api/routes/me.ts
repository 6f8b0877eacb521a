/** `GET /v1/me`: who the caller is and the organizations they can reach. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { authErrors, MeResponse } from "../schemas.ts";

export const meSpecs = {
  me: defineRoute({
    method: "get",
    path: "/v1/me",
    summary: "The signed-in user (or the API token) and its organizations",
    tag: "auth",
    auth: "any",
    responses: { 200: { description: "The caller", schema: MeResponse }, 401: authErrors[401] },
  }),
};

export function meRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { accounts, orgs } = deps.tenancy;
  app.get(meSpecs.me.path, async (c) => {
    const actor = c.get("actor");
    // Read per request: local mode learns its URL only once it listens.
    const dashboardUrl = deps.tenancy.settings.publicWebUrl.replace(/\/+$/, "");
    if (actor.kind === "api") {
      const token = { id: actor.tokenId, orgId: actor.orgId, role: actor.role };
      return c.json({ kind: "api", token, orgs: await orgs.list(actor), dashboardUrl });
    }
    const user = await accounts.getUser(actor.userId);
    return c.json({ kind: "user", user, orgs: await orgs.list(actor), dashboardUrl });
  });
}
