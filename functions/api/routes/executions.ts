import { ExecutionId, ListExecutionsQuery, toKeyValues } from "@assay/shared";
import type { Hono } from "hono";
import { authorize } from "../../core/access.ts";
import { auditActor } from "../../core/audit.ts";
import { startedByPrincipal } from "../../core/executions.ts";
import type { ApiDeps, ApiEnv } from "../app.ts";
import { requestMeta } from "../auth.ts";
import { parseInput } from "../validate.ts";
import { withWaiting } from "./waiting.ts";

export function executionRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  app.get("/executions", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const tags = c.req.queries("tag");
    const query = parseInput(
      ListExecutionsQuery,
      { ...c.req.query(), ...(tags ? { tag: tags } : {}) },
      "query",
    );
    const { limit, cursor, tag, ...filter } = query;
    const page = await deps.executions.list(
      c.get("orgId"),
      c.get("envId"),
      { ...filter, ...(tag ? { tags: toKeyValues(tag) } : {}) },
      { limit, cursor },
    );
    return c.json({ ...page, items: await withWaiting(deps, c.get("orgId"), c.get("envId"), page.items) });
  });

  app.get("/executions/:id", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "read");
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    const execution = await deps.executions.get(c.get("orgId"), c.get("envId"), id);
    const [view] = await withWaiting(deps, c.get("orgId"), c.get("envId"), [execution]);
    return c.json(view);
  });

  app.post("/executions/:id/abort", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "run");
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    return c.json(await deps.executions.abort(c.get("orgId"), c.get("envId"), id), 202);
  });

  for (const [action, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    app.post(`/executions/:id/${action}`, async (c) => {
      authorize(c.get("principal"), c.get("orgId"), "run");
      const id = parseInput(ExecutionId, c.req.param("id"), "id");
      return c.json(await deps.executions.pause(c.get("orgId"), c.get("envId"), id, paused), 202);
    });
  }

  app.post("/executions/:id/rerun", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "run");
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    const execution = await deps.executions.rerun(
      c.get("orgId"),
      c.get("envId"),
      id,
      startedByPrincipal(c.get("principal")),
    );
    const [view] = await withWaiting(deps, c.get("orgId"), c.get("envId"), [execution]);
    return c.json(view, 201);
  });

  app.delete("/executions/:id", async (c) => {
    authorize(c.get("principal"), c.get("orgId"), "run");
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    await deps.executions.delete(c.get("orgId"), c.get("envId"), id);
    // Deleting an execution removes its logs and artifacts: a data-retention event to keep a trace of.
    await deps.tenancy.audit.record({
      orgId: c.get("orgId"),
      action: "execution.deleted",
      actor: auditActor(c.get("principal")),
      target: { kind: "execution", id },
      details: { env: c.get("envId") },
      meta: requestMeta(c),
    });
    return c.body(null, 204);
  });
}
