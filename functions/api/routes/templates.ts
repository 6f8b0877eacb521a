/** `/templates`: TestWorkflowTemplates of an environment (apply, list, get, delete). */
import { AppError, KeyValueFilters, toKeyValues, WorkflowName, WorkflowView } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import type { TemplateService } from "../../core/templates.ts";
import { type ApiDeps, type ApiEnv, envOf } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, FieldWarning, itemsOf, LabelQuery, TemplateParams } from "../schemas.ts";
import { parseInput } from "../validate.ts";
import { workflowView } from "../workflow-view.ts";
import { ENV_BASE } from "./envs.ts";

/** The specs of these routes (the OpenAPI document is built from them). */
export const templateSpecs = {
  applyTemplate: defineRoute({
    method: "put",
    path: `${ENV_BASE}/templates/:name`,
    summary: "Create or replace a TestWorkflowTemplate (YAML or JSON text) (member)",
    tag: "workflows",
    auth: "any",
    params: TemplateParams,
    body: z.string().describe("A TestWorkflowTemplate document whose metadata.name is the path's name"),
    bodyContentType: "application/yaml",
    responses: {
      200: {
        description: "Replaced",
        schema: z.object({ template: WorkflowView, warnings: z.array(FieldWarning) }),
      },
      201: {
        description: "Created",
        schema: z.object({ template: WorkflowView, warnings: z.array(FieldWarning) }),
      },
      ...authErrors,
    },
  }),
  listTemplates: defineRoute({
    method: "get",
    path: `${ENV_BASE}/templates`,
    summary: "Templates of the environment",
    tag: "workflows",
    auth: "any",
    params: TemplateParams.omit({ name: true }),
    query: LabelQuery,
    responses: { 200: { description: "Templates", schema: itemsOf(WorkflowView) }, ...authErrors },
  }),
  getTemplate: defineRoute({
    method: "get",
    path: `${ENV_BASE}/templates/:name`,
    summary: "A template with its source",
    tag: "workflows",
    auth: "any",
    params: TemplateParams,
    responses: { 200: { description: "The template", schema: WorkflowView }, ...authErrors },
  }),
  deleteTemplate: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/templates/:name`,
    summary: "Delete a template (member)",
    tag: "workflows",
    auth: "any",
    params: TemplateParams,
    responses: { 204: { description: "Deleted" }, ...authErrors },
  }),
};

export function templateRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const at = (path: string) => relativeTo(ENV_BASE, path);
  const templates = (): TemplateService => {
    if (deps.templates === undefined) throw new AppError("not_found", "templates are not available here");
    return deps.templates;
  };

  app.put(at(templateSpecs.applyTemplate.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    const result = await templates().apply(c.get("principal"), envOf(c), name, await c.req.text());
    return c.json(
      { template: workflowView(result.template), warnings: result.warnings },
      result.created ? 201 : 200,
    );
  });

  app.get(at(templateSpecs.listTemplates.path), async (c) => {
    const labels = toKeyValues(parseInput(KeyValueFilters.optional(), c.req.queries("label"), "label"));
    const items = (await templates().list(c.get("principal"), envOf(c))).filter((t) =>
      Object.entries(labels).every(([k, v]) => t.labels[k] === v),
    );
    return c.json({ items: items.map((t) => workflowView(t)) });
  });

  app.get(at(templateSpecs.getTemplate.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    return c.json(workflowView(await templates().get(c.get("principal"), envOf(c), name), true));
  });

  app.delete(at(templateSpecs.deleteTemplate.path), async (c) => {
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    await templates().delete(c.get("principal"), envOf(c), name);
    return c.body(null, 204);
  });
}
