import {
  ApplyWorkflowQuery as ApplyQuery,
  ApplyWorkflowQuery,
  ApplyWorkflowResponse,
  CreateExecution,
  ExecutionView,
  KeyValueFilters,
  toKeyValues,
  WorkflowName,
  WorkflowView,
} from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { type ApiDeps, type ApiEnv, envOf } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, itemsOf, LabelQuery, WorkflowParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";
import { workflowView } from "../workflow-view.ts";
import { ENV_BASE } from "./envs.ts";

/** The specs of these routes (the OpenAPI document is built from them). */
export const workflowSpecs = {
  applyWorkflow: defineRoute({
    method: "put",
    path: `${ENV_BASE}/workflows/:name`,
    summary: "Create or replace a TestWorkflow (YAML or JSON text) (member)",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    query: ApplyWorkflowQuery,
    body: z.string().describe("A TestWorkflow document whose metadata.name is the path's name"),
    bodyContentType: "application/yaml",
    responses: {
      200: { description: "Replaced, or checked only (dryRun)", schema: ApplyWorkflowResponse },
      201: { description: "Created", schema: ApplyWorkflowResponse },
      ...authErrors,
    },
  }),
  deleteWorkflow: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/workflows/:name`,
    summary: "Delete a workflow and its schedules; its executions stay readable (member)",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
  listWorkflows: defineRoute({
    method: "get",
    path: `${ENV_BASE}/workflows`,
    summary: "Workflows of the environment",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams.omit({ name: true }),
    query: LabelQuery,
    responses: { 200: { description: "Workflows", schema: itemsOf(WorkflowView) }, ...authErrors },
  }),
  getWorkflow: defineRoute({
    method: "get",
    path: `${ENV_BASE}/workflows/:name`,
    summary: "A workflow with its source",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    responses: { 200: { description: "The workflow", schema: WorkflowView }, ...authErrors },
  }),
  startExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/workflows/:name/executions`,
    summary: "Run a workflow (member); 429 when the plan's concurrent executions are taken",
    tag: "executions",
    auth: "any",
    params: WorkflowParams,
    body: CreateExecution,
    responses: { 201: { description: "Queued", schema: ExecutionView }, ...authErrors },
  }),
};

export function workflowRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const at = (path: string) => relativeTo(ENV_BASE, path);
  app.put(at(workflowSpecs.applyWorkflow.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    const { dryRun } = parseInput(ApplyQuery, c.req.query(), "query");
    const text = await c.req.text();
    const result = await deps.workflows.apply(c.get("principal"), envOf(c), name, text, { dryRun });
    const body = {
      workflow: workflowView(result.workflow),
      warnings: result.warnings,
      check: result.check,
      dryRun,
    };
    return c.json(body, result.created && !dryRun ? 201 : 200);
  });

  app.delete(at(workflowSpecs.deleteWorkflow.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    await deps.workflows.delete(c.get("principal"), envOf(c), name);
    return c.body(null, 204);
  });

  app.get(at(workflowSpecs.listWorkflows.path), async (c) => {
    const labels = c.req.queries("label");
    const filters = labels ? parseInput(KeyValueFilters, labels, "label") : [];
    const items = await deps.workflows.list(c.get("principal"), envOf(c), toKeyValues(filters));
    return c.json({ items: items.map((w) => workflowView(w)) });
  });

  app.get(at(workflowSpecs.getWorkflow.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    return c.json(workflowView(await deps.workflows.get(c.get("principal"), envOf(c), name), true));
  });

  app.post(at(workflowSpecs.startExecution.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    const input = parseInput(CreateExecution, await readJson(c.req.raw), "body");
    return c.json(await deps.executionViews.start(c.get("principal"), envOf(c), name, input), 201);
  });
}
