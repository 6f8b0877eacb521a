import { ExecutionId, ExecutionView, ListExecutionsQuery, toKeyValues } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { requestMeta } from "../auth.ts";
import { type ApiDeps, type ApiEnv, envOf } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, ErrorResponse, ExecutionParams } from "../schemas.ts";
import { parseInput } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

/** The specs of these routes (the OpenAPI document is built from them). */
export const executionSpecs = {
  listExecutions: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions`,
    summary: "Executions, newest first, cursor paginated",
    tag: "executions",
    auth: "any",
    params: ExecutionParams.omit({ id: true }),
    query: ListExecutionsQuery,
    responses: {
      200: {
        description: "A page",
        schema: z.object({ items: z.array(ExecutionView), nextCursor: z.string().optional() }),
      },
      ...authErrors,
    },
  }),
  getExecution: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id`,
    summary: "An execution",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: { 200: { description: "The execution", schema: ExecutionView }, ...authErrors },
  }),
  abortExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/abort`,
    summary: "Abort an execution (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      202: { description: "Abort requested", schema: ExecutionView },
      409: { description: "Already finished", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  pauseExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/pause`,
    summary: "Pause a running execution: its processes stop and no step starts until it is resumed (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      202: { description: "Pause requested", schema: ExecutionView },
      409: { description: "Not running", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  resumeExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/resume`,
    summary: "Resume a paused execution (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      202: { description: "Resume requested", schema: ExecutionView },
      409: { description: "Not running", schema: ErrorResponse },
      ...authErrors,
    },
  }),
  rerunExecution: defineRoute({
    method: "post",
    path: `${ENV_BASE}/executions/:id/rerun`,
    summary:
      "Run an execution's workflow again with its config and tags (member); the new execution's rerunOf names it",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: { 201: { description: "Queued", schema: ExecutionView }, ...authErrors },
  }),
  deleteExecution: defineRoute({
    method: "delete",
    path: `${ENV_BASE}/executions/:id`,
    summary: "Delete a finished execution and its logs and artifacts (member)",
    tag: "executions",
    auth: "any",
    params: ExecutionParams,
    responses: {
      204: { description: "Deleted" },
      409: { description: "Still running", schema: ErrorResponse },
      ...authErrors,
    },
  }),
};

export function executionRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const at = (path: string) => relativeTo(ENV_BASE, path);
  app.get(at(executionSpecs.listExecutions.path), async (c) => {
    const tags = c.req.queries("tag");
    const query = parseInput(
      ListExecutionsQuery,
      { ...c.req.query(), ...(tags ? { tag: tags } : {}) },
      "query",
    );
    const { limit, cursor, tag, ...filter } = query;
    const page = await deps.executionViews.list(
      c.get("principal"),
      envOf(c),
      { ...filter, ...(tag ? { tags: toKeyValues(tag) } : {}) },
      { limit, cursor },
    );
    return c.json(page);
  });

  app.get(at(executionSpecs.getExecution.path), async (c) => {
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    return c.json(await deps.executionViews.get(c.get("principal"), { ...envOf(c), id }));
  });

  app.post(at(executionSpecs.abortExecution.path), async (c) => {
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    return c.json(await deps.executions.abort(c.get("principal"), { ...envOf(c), id }), 202);
  });

  for (const [spec, paused] of [
    [executionSpecs.pauseExecution, true],
    [executionSpecs.resumeExecution, false],
  ] as const) {
    app.post(at(spec.path), async (c) => {
      const id = parseInput(ExecutionId, c.req.param("id"), "id");
      return c.json(await deps.executions.pause(c.get("principal"), { ...envOf(c), id }, paused), 202);
    });
  }

  app.post(at(executionSpecs.rerunExecution.path), async (c) => {
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    return c.json(await deps.executionViews.rerun(c.get("principal"), { ...envOf(c), id }), 201);
  });

  app.delete(at(executionSpecs.deleteExecution.path), async (c) => {
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    await deps.executions.delete(c.get("principal"), { ...envOf(c), id }, requestMeta(c));
    return c.body(null, 204);
  });
}
