/** `GET /v1/orgs/{org}/audit`: the organization's audit log, newest first (admin). */
import { AuditEvent, PageQuery } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { authErrors, OrgParams } from "../schemas.ts";
import { parseInput } from "../validate.ts";

export const auditSpecs = {
  list: defineRoute({
    method: "get",
    path: "/v1/orgs/:org/audit",
    summary: "Security-relevant actions (logins, members, roles, tokens, deletions), newest first",
    tag: "audit",
    auth: "any",
    params: OrgParams,
    query: PageQuery,
    responses: {
      200: {
        description: "A page of events",
        schema: z.object({ items: z.array(AuditEvent), nextCursor: z.string().optional() }),
      },
      ...authErrors,
    },
  }),
};

export function auditRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  app.get(auditSpecs.list.path, async (c) => {
    const page = parseInput(auditSpecs.list.query, c.req.query(), "query");
    return c.json(await deps.tenancy.audit.list(c.get("principal"), page));
  });
}
