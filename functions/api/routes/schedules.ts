/**
 * Schedules: the cron jobs of an environment's workflows with their paused state (any role
 * reads), adding one to a workflow's document, pausing and resuming one (members, as editing
 * the workflow).
 */
import { AddScheduleBody, AppError, ScheduleView, UpdateScheduleBody } from "@assay/shared";
import type { Hono } from "hono";
import * as z from "zod";
import { type ApiDeps, type ApiEnv, envOf } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, EnvParams, ErrorResponse, itemsOf, WorkflowParams } from "../schemas.ts";
import { parseInput, readJson } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

const ScheduleParams = WorkflowParams.extend({ index: z.coerce.number().int().min(0).max(999) });
const Schedules = itemsOf(ScheduleView);

export const scheduleSpecs = {
  list: defineRoute({
    method: "get",
    path: `${ENV_BASE}/schedules`,
    summary: "Cron jobs of the environment's workflows, with their paused state",
    tag: "workflows",
    auth: "any",
    params: EnvParams,
    responses: { 200: { description: "Schedules", schema: Schedules }, ...authErrors },
  }),
  add: defineRoute({
    method: "post",
    path: `${ENV_BASE}/workflows/:name/schedules`,
    summary: "Add a cron job to the workflow's document (spec.events) and apply it (member)",
    tag: "workflows",
    auth: "any",
    params: WorkflowParams,
    body: AddScheduleBody,
    responses: {
      ...authErrors,
      201: { description: "The workflow's schedules", schema: Schedules },
      400: { description: "Invalid cron expression or time zone", schema: ErrorResponse },
    },
  }),
  update: defineRoute({
    method: "patch",
    path: `${ENV_BASE}/workflows/:name/schedules/:index`,
    summary: "Pause or resume spec.events[index].cronjob (member); paused ticks are skipped, not caught up",
    tag: "workflows",
    auth: "any",
    params: ScheduleParams,
    body: UpdateScheduleBody,
    responses: { 200: { description: "The workflow's schedules", schema: Schedules }, ...authErrors },
  }),
};

export function scheduleRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const schedules = () => {
    if (!deps.workflowSchedules)
      throw new AppError("not_found", "schedules are not enabled on this control plane");
    return deps.workflowSchedules;
  };
  app.get(relativeTo(ENV_BASE, scheduleSpecs.list.path), async (c) => {
    return c.json({
      items: await schedules().ofEnvironment(c.get("principal"), envOf(c)),
    });
  });
  app.post(relativeTo(ENV_BASE, scheduleSpecs.add.path), async (c) => {
    const { name } = parseInput(WorkflowParams.pick({ name: true }), { name: c.req.param("name") }, "path");
    const body = async () => parseInput(AddScheduleBody, await readJson(c.req.raw), "body");
    const items = await schedules().add(c.get("principal"), envOf(c), name, body);
    return c.json({ items }, 201);
  });
  app.patch(relativeTo(ENV_BASE, scheduleSpecs.update.path), async (c) => {
    const { name } = parseInput(WorkflowParams.pick({ name: true }), { name: c.req.param("name") }, "path");
    const change = async () => {
      const { index } = parseInput(
        ScheduleParams.pick({ index: true }),
        { index: c.req.param("index") },
        "path",
      );
      const { paused } = parseInput(UpdateScheduleBody, await readJson(c.req.raw), "body");
      return { index, paused };
    };
    const items = await schedules().setPaused(c.get("principal"), envOf(c), name, change);
    return c.json({ items });
  });
}
