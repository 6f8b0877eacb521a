/** Members of an organization: list, change role, remove (a member removing themselves leaves). */
import { Membership, SetRoleBody } from "@assay/shared";
import type { Hono } from "hono";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { authErrors, ErrorResponse, itemsOf, MemberParams, OrgParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

const lastOwner = { description: "The last owner cannot be demoted or removed", schema: ErrorResponse };

export const memberSpecs = {
  list: defineRoute({
    method: "get",
    path: "/v1/orgs/:org/members",
    summary: "Members and their roles",
    tag: "members",
    auth: "any",
    params: OrgParams,
    responses: { 200: { description: "Members", schema: itemsOf(Membership) }, ...authErrors },
  }),
  setRole: defineRoute({
    method: "patch",
    path: "/v1/orgs/:org/members/:user",
    summary: "Change a member's role (admin up to admin; owners for owners)",
    tag: "members",
    auth: "any",
    params: MemberParams,
    body: SetRoleBody,
    responses: { 200: { description: "Updated", schema: Membership }, 409: lastOwner, ...authErrors },
  }),
  remove: defineRoute({
    method: "delete",
    path: "/v1/orgs/:org/members/:user",
    summary: "Remove a member, or leave when it is yourself",
    tag: "members",
    auth: "any",
    params: MemberParams,
    responses: { 204: { description: "Removed" }, 409: lastOwner, ...authErrors },
  }),
};

export function memberRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { members } = deps.tenancy;

  app.get(memberSpecs.list.path, async (c) => c.json({ items: await members.list(c.get("principal")) }));

  app.patch(memberSpecs.setRole.path, async (c) => {
    const { user } = parseInput(memberSpecs.setRole.params, c.req.param(), "path");
    const { role } = parseInput(memberSpecs.setRole.body, await readJson(c.req.raw), "body");
    return c.json(await members.setRole(c.get("principal"), user, role, requestMeta(c)));
  });

  app.delete(memberSpecs.remove.path, async (c) => {
    const { user } = parseInput(memberSpecs.remove.params, c.req.param(), "path");
    await members.remove(c.get("principal"), user, requestMeta(c));
    return c.body(null, 204);
  });
}
