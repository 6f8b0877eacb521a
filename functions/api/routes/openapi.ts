/** `GET /v1/openapi.json`: the document of every route, from the schemas that validate them. */
import type { Hono } from "hono";
import type { ApiEnv } from "../context.ts";
import { buildOpenApiDocument } from "../openapi/document.ts";
import { defineRoute, type RouteSpec } from "../route-spec.ts";
import { agentTokenSpecs } from "./agent-tokens.ts";
import { apiTokenSpecs } from "./api-tokens.ts";
import { artifactSpecs } from "./artifacts.ts";
import { auditSpecs } from "./audit.ts";
import { authSpecs } from "./auth.ts";
import { envCredentialSpecs, orgCredentialSpecs } from "./credentials.ts";
import { devOutboxSpecs } from "./dev-outbox.ts";
import { envSpecs } from "./envs.ts";
import { executionSpecs } from "./executions.ts";
import { insightSpecs } from "./insights.ts";
import { invitationSpecs } from "./invitations.ts";
import { logSpecs } from "./logs.ts";
import { meSpecs } from "./me.ts";
import { memberSpecs } from "./members.ts";
import { orgSpecs } from "./orgs.ts";
import { scheduleSpecs } from "./schedules.ts";
import { ssoSpecs } from "./sso.ts";
import { templateSpecs } from "./templates.ts";
import { webhookSpecs } from "./webhooks.ts";
import { workflowSpecs } from "./workflows.ts";

export const openApiSpecs = {
  document: defineRoute({
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    tag: "meta",
    auth: "none",
    responses: { 200: { description: "OpenAPI 3.1 document" } },
  }),
  health: defineRoute({
    method: "get",
    path: "/healthz",
    summary: "Liveness",
    tag: "meta",
    auth: "none",
    responses: { 200: { description: "OK" } },
  }),
};

/** Every route spec of the API (the dev outbox only when it is mounted). */
export function allRouteSpecs(options: { devOutbox: boolean }): RouteSpec[] {
  const groups: Array<Record<string, RouteSpec>> = [
    openApiSpecs,
    authSpecs,
    ssoSpecs,
    meSpecs,
    orgSpecs,
    memberSpecs,
    invitationSpecs,
    envSpecs,
    agentTokenSpecs,
    apiTokenSpecs,
    auditSpecs,
    workflowSpecs,
    templateSpecs,
    executionSpecs,
    logSpecs,
    artifactSpecs,
    orgCredentialSpecs,
    envCredentialSpecs,
    webhookSpecs,
    insightSpecs,
    scheduleSpecs,
    ...(options.devOutbox ? [devOutboxSpecs] : []),
  ];
  return groups.flatMap((g) => Object.values(g));
}

export function openApiRoutes(app: Hono<ApiEnv>, options: { devOutbox: boolean }) {
  let document: object | undefined;
  app.get(openApiSpecs.document.path, (c) => {
    document ??= buildOpenApiDocument(allRouteSpecs(options), { version: "0.1.0" });
    return c.json(document);
  });
}
