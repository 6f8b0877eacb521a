/** `/templates`: TestWorkflowTemplates of an environment (apply, list, get, delete). */
import { AppError, KeyValueFilters, toKeyValues, WorkflowName, type WorkflowRecord } from "@assay/shared";
import type { Hono } from "hono";
import { authorize } from "../../core/access.ts";
import type { TemplateService } from "../../core/templates.ts";
import type { ApiDeps, ApiEnv } from "../context.ts";
import { parseInput } from "../validate.ts";

const view = (t: WorkflowRecord, withSource = false) => {
  const { source, ...rest } = t;
  return withSource ? { ...rest, source } : rest;
};

export function templateRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const templates = (): TemplateService => {
    if (deps.templates === undefined) throw new AppError("not_found", "templates are not available here");
    return deps.templates;
  };

  app.put("/templates/:name", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "edit-workflows");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    const result = await templates().apply(c.get("orgId"), c.get("envId"), name, await c.req.text());
    return c.json({ template: view(result.template), warnings: result.warnings }, result.created ? 201 : 200);
  });

  app.get("/templates", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const labels = toKeyValues(parseInput(KeyValueFilters.optional(), c.req.queries("label"), "label"));
    const items = (await templates().list(c.get("orgId"), c.get("envId"))).filter((t) =>
      Object.entries(labels).every(([k, v]) => t.labels[k] === v),
    );
    return c.json({ items: items.map((t) => view(t)) });
  });

  app.get("/templates/:name", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    return c.json(view(await templates().get(c.get("orgId"), c.get("envId"), name), true));
  });

  app.delete("/templates/:name", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "edit-workflows");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    await templates().delete(c.get("orgId"), c.get("envId"), name);
    return c.body(null, 204);
  });
}
