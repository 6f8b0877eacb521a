/**
 * Insights of an environment and of one workflow over a window of days (any role may read).
 * Aggregates are kept by the insights worker; a read is a few queries whatever the history.
 */
import { AppError, EnvInsights, InsightsQuery, WorkflowInsights } from "@assay/shared";
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, EnvParams, WorkflowParams } from "../schemas.ts";
import { parseInput } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

export const insightSpecs = {
  environment: defineRoute({
    method: "get",
    path: `${ENV_BASE}/insights`,
    summary: "Runs, pass rate, durations, failure reasons and flaky tests of the environment",
    tag: "insights",
    auth: "any",
    params: EnvParams,
    query: InsightsQuery,
    responses: { 200: { description: "Environment insights", schema: EnvInsights }, ...authErrors },
  }),
  workflow: defineRoute({
    method: "get",
    path: `${ENV_BASE}/workflows/:name/insights`,
    summary: "Runs, pass rate, durations, failure reasons and flaky, slow and failing tests of a workflow",
    tag: "insights",
    auth: "any",
    params: WorkflowParams,
    query: InsightsQuery,
    responses: { 200: { description: "Workflow insights", schema: WorkflowInsights }, ...authErrors },
  }),
};

export function insightRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const insights = () => {
    if (!deps.insights) throw new AppError("not_found", "insights are not enabled on this control plane");
    return deps.insights;
  };
  app.get(relativeTo(ENV_BASE, insightSpecs.environment.path), async (c) => {
    const { days } = parseInput(InsightsQuery, c.req.query(), "query");
    const scope = { orgId: c.get("orgId"), envId: c.get("envId") };
    return c.json(await insights().environment(c.get("principal"), scope, days));
  });
  app.get(relativeTo(ENV_BASE, insightSpecs.workflow.path), async (c) => {
    const { name } = parseInput(WorkflowParams.pick({ name: true }), { name: c.req.param("name") }, "path");
    const { days } = parseInput(InsightsQuery, c.req.query(), "query");
    const scope = { orgId: c.get("orgId"), envId: c.get("envId") };
    return c.json(await insights().workflow(c.get("principal"), scope, name, days));
  });
}
