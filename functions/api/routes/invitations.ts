/** Invitations: create (mailed to the invitee), list, revoke, and accept by token. */
import { InvitationView, InviteBody, Membership, OrgView } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { requestMeta } from "../auth.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute } from "../route-spec.ts";
import { AcceptParams, authErrors, ErrorResponse, InvitationParams, itemsOf, OrgParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";

export const invitationSpecs = {
  create: defineRoute({
    method: "post",
    path: "/v1/orgs/:org/invitations",
    summary: "Invite an email with a role; the link goes to that address only",
    tag: "members",
    auth: "any",
    params: OrgParams,
    body: InviteBody,
    responses: {
      201: { description: "Invited", schema: InvitationView },
      409: { description: "Already a member", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  list: defineRoute({
    method: "get",
    path: "/v1/orgs/:org/invitations",
    summary: "Pending invitations",
    tag: "members",
    auth: "any",
    params: OrgParams,
    responses: { 200: { description: "Invitations", schema: itemsOf(InvitationView) }, ...authErrors },
  }),
  revoke: defineRoute({
    method: "delete",
    path: "/v1/orgs/:org/invitations/:id",
    summary: "Revoke a pending invitation",
    tag: "members",
    auth: "any",
    params: InvitationParams,
    responses: { 204: { description: "Revoked" }, ...authErrors },
  }),
  accept: defineRoute({
    method: "post",
    path: "/v1/invitations/:token/accept",
    summary: "Accept an invitation (signed in with the invited email)",
    tag: "members",
    auth: "session",
    params: AcceptParams,
    responses: {
      200: { description: "Joined", schema: z.object({ org: OrgView, membership: Membership }) },
      409: { description: "Already a member", schema: ErrorResponse },
      ...authErrors,
    },
  }),
};

export function invitationRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const { invitations } = deps.tenancy;

  app.post(invitationSpecs.create.path, async (c) => {
    const body = parseInput(invitationSpecs.create.body, await readJson(c.req.raw), "body");
    return c.json(await invitations.create(c.get("principal"), body, requestMeta(c)), 201);
  });

  app.get(invitationSpecs.list.path, async (c) =>
    c.json({ items: await invitations.list(c.get("principal")) }),
  );

  app.delete(invitationSpecs.revoke.path, async (c) => {
    const { id } = parseInput(invitationSpecs.revoke.params, c.req.param(), "path");
    await invitations.revoke(c.get("principal"), id, requestMeta(c));
    return c.body(null, 204);
  });

  app.post(invitationSpecs.accept.path, async (c) => {
    const { token } = parseInput(invitationSpecs.accept.params, c.req.param(), "path");
    return c.json(await invitations.accept(c.get("actor"), token, requestMeta(c)));
  });
}
