/**
 * Schedules as users manage them: list a workflow's (or an environment's) cron jobs with their
 * paused state, add one, pause or resume one. Adding edits the workflow's own document (a new
 * `spec.events[].cronjob`, comments and layout of the rest kept) and applies it, so the YAML
 * stays the one source of what runs when. Pausing is state beside the document (the schedule
 * index), because a TestWorkflow has no field for it: re-applying the document keeps a paused
 * job paused. Reading needs `read`, adding and pausing `edit-workflows` (the workflow use cases
 * decide).
 */
import { AppError, type ScheduleView } from "@assay/shared";
import { isMap, isSeq, parseDocument } from "yaml";
import { authorize, type Deferred, type Principal } from "./access.ts";
import { cronProblem } from "./cron.ts";
import type { EnvRef } from "./ports/refs.ts";
import type { ScheduleEntry, ScheduleStore } from "./ports/schedule-store.ts";
import { scheduleJobKey } from "./schedules.ts";
import type { WorkflowService } from "./workflows.ts";

interface CronEvent {
  cronjob?: { cron: string; timezone?: string; config?: Record<string, string | number | boolean> };
}

const eventsOf = (spec: Record<string, unknown>): CronEvent[] =>
  ((spec as { spec?: { events?: CronEvent[] } }).spec?.events ?? []) as CronEvent[];

const viewsOf = (workflow: string, spec: Record<string, unknown>, entry?: ScheduleEntry): ScheduleView[] =>
  eventsOf(spec).flatMap((event, index) => {
    const job = event.cronjob;
    if (!job) return [];
    return [
      {
        workflow,
        index,
        cron: job.cron,
        ...(job.timezone ? { timezone: job.timezone } : {}),
        config: job.config ?? {},
        paused: entry?.paused?.includes(scheduleJobKey(job)) ?? false,
      },
    ];
  });

export function createWorkflowSchedules(deps: { workflows: WorkflowService; schedules: ScheduleStore }) {
  const { workflows, schedules } = deps;

  const entryOf = async ({ orgId, envId }: EnvRef, name: string) =>
    (await schedules.listByEnv({ orgId, envId })).find((e) => e.workflowName === name);

  async function ofWorkflow(
    principal: Principal,
    { orgId, envId }: EnvRef,
    name: string,
  ): Promise<ScheduleView[]> {
    const workflow = await workflows.get(principal, { orgId, envId }, name);
    return viewsOf(name, workflow.spec, await entryOf({ orgId, envId }, name));
  }

  return {
    ofWorkflow,

    /** Every cron job of the environment's workflows. */
    async ofEnvironment(principal: Principal, { orgId, envId }: EnvRef): Promise<ScheduleView[]> {
      const [all, entries] = await Promise.all([
        workflows.list(principal, { orgId, envId }),
        schedules.listByEnv({ orgId, envId }),
      ]);
      const byName = new Map(entries.map((e) => [e.workflowName, e]));
      return all.flatMap((w) => viewsOf(w.name, w.spec, byName.get(w.name)));
    },

    /** Adds a cron job to the workflow's document and applies it; returns its schedules. */
    async add(
      principal: Principal,
      { orgId, envId }: EnvRef,
      name: string,
      input: Deferred<{ cron: string; timezone?: string | undefined }>,
    ): Promise<ScheduleView[]> {
      authorize(principal, "edit-workflows", { orgId, envId });
      const job = await input();
      const problem = await cronProblem(job.cron, job.timezone);
      if (problem !== undefined) {
        const path = problem.startsWith("timezone") ? "body.timezone" : "body.cron";
        throw new AppError("invalid_argument", `${path}: ${problem}`, {
          issues: [{ path, message: problem }],
        });
      }
      const workflow = await workflows.get(principal, { orgId, envId }, name);
      // The same YAML version as the workflow parser, so every other value means what it did.
      const doc = parseDocument(workflow.source, { version: "1.1" });
      const spec = doc.get("spec");
      if (!isMap(spec)) throw new AppError("failed_precondition", `workflow ${name} has no spec mapping`);
      const cronjob = { cron: job.cron, ...(job.timezone ? { timezone: job.timezone } : {}) };
      const events = spec.get("events");
      if (events === undefined || events === null) spec.set("events", doc.createNode([{ cronjob }]));
      else if (isSeq(events)) events.add(doc.createNode({ cronjob }));
      else throw new AppError("failed_precondition", `workflow ${name}: spec.events is not a list`);
      await workflows.apply(principal, { orgId, envId }, name, doc.toString());
      return ofWorkflow(principal, { orgId, envId }, name);
    },

    /** Pauses or resumes `spec.events[index].cronjob`; returns the workflow's schedules. */
    async setPaused(
      principal: Principal,
      { orgId, envId }: EnvRef,
      name: string,
      change: Deferred<{ index: number; paused: boolean }>,
    ): Promise<ScheduleView[]> {
      authorize(principal, "edit-workflows", { orgId, envId });
      const { index, paused } = await change();
      const workflow = await workflows.get(principal, { orgId, envId }, name);
      const job = eventsOf(workflow.spec)[index]?.cronjob;
      if (!job) throw new AppError("not_found", `workflow ${name} has no schedule at spec.events[${index}]`);
      const ref = { orgId, envId, workflowName: name };
      if (!(await schedules.setPaused(ref, scheduleJobKey(job), paused))) {
        throw new AppError("not_found", `workflow ${name} has no schedules`);
      }
      return ofWorkflow(principal, { orgId, envId }, name);
    },
  };
}

export type WorkflowSchedules = ReturnType<typeof createWorkflowSchedules>;
