import {
  ApplyWorkflowQuery as ApplyQuery,
  CreateExecution,
  KeyValueFilters,
  toKeyValues,
  WorkflowName,
  type WorkflowRecord,
} from "@assay/shared";
import type { Hono } from "hono";
import { authorize } from "../../core/access.ts";
import { startedByPrincipal } from "../../core/executions.ts";
import type { ApiDeps, ApiEnv } from "../app.ts";
import { parseInput, readJson } from "../validate.ts";
import { withWaiting } from "./waiting.ts";

const view = (w: WorkflowRecord, withSource = false) => {
  const { source, ...rest } = w;
  return withSource ? { ...rest, source } : rest;
};

export function workflowRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  app.put("/workflows/:name", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "edit-workflows");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    const { dryRun } = parseInput(ApplyQuery, c.req.query(), "query");
    const text = await c.req.text();
    const result = await deps.workflows.apply(c.get("orgId"), c.get("envId"), name, text, { dryRun });
    const body = { workflow: view(result.workflow), warnings: result.warnings, check: result.check, dryRun };
    return c.json(body, result.created && !dryRun ? 201 : 200);
  });

  app.delete("/workflows/:name", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "edit-workflows");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    await deps.workflows.delete(c.get("orgId"), c.get("envId"), name);
    return c.body(null, 204);
  });

  app.get("/workflows", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const labels = c.req.queries("label");
    const filters = labels ? parseInput(KeyValueFilters, labels, "label") : [];
    const items = await deps.workflows.list(c.get("orgId"), c.get("envId"), toKeyValues(filters));
    return c.json({ items: items.map((w) => view(w)) });
  });

  app.get("/workflows/:name", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    return c.json(view(await deps.workflows.get(c.get("orgId"), c.get("envId"), name), true));
  });

  app.post("/workflows/:name/executions", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "run");
    const name = parseInput(WorkflowName, c.req.param("name"), "name");
    const input = parseInput(CreateExecution, await readJson(c.req.raw), "body");
    const execution = await deps.executions.start(c.get("orgId"), c.get("envId"), name, {
      ...input,
      startedBy: startedByPrincipal(c.get("principal")),
    });
    const [view] = await withWaiting(deps, c.get("orgId"), c.get("envId"), [execution]);
    return c.json(view, 201);
  });
}
