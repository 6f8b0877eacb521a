/**
 * The schedule dispatcher: every minute (EventBridge in AWS, a timer locally) it looks at each
 * scheduled workflow's cron jobs and starts a run for every tick that fell due since the last
 * few minutes, once. "Once" across restarts and concurrent dispatchers comes from the store:
 * each (workflow, cron job, tick) is claimed with a conditional put before the run starts, and
 * only the winner starts it. The look-back window lets a dispatcher that was down for a minute
 * or two catch up; ticks before the workflow was applied are never fired.
 *
 * Runs carry the tags `assay.io/schedule` (the cron expression and zone) and `assay.io/tick`.
 * A paused cron job's ticks are claimed and not run, so resuming it never fires the ticks it
 * slept through.
 */
import { isAppError } from "@assay/shared";
import { ticksBetween } from "./cron.ts";
import type { ExecutionService } from "./executions.ts";
import type { ScheduleStore } from "./ports/schedule-store.ts";
import type { Clock, Logger } from "./ports.ts";

/** How far back a sweep looks for missed ticks. */
export const LOOK_BACK_MS = 5 * 60_000;
/** How long a tick claim is kept (longer than the look-back, so a tick is never fired twice). */
const CLAIM_TTL_SECONDS = 2 * 24 * 3600;

export const SCHEDULE_TAG = "assay.io/schedule";
export const TICK_TAG = "assay.io/tick";

/** How a cron job is named among a workflow's paused ones: its expression and zone. */
export const scheduleJobKey = (job: { cron: string; timezone?: string | undefined }): string =>
  `${job.cron}|${job.timezone ?? ""}`;

/** Errors after which the tick is given back for a later sweep to retry. */
const RETRYABLE = new Set(["resource_exhausted", "unavailable", "aborted", "internal"]);

export function createScheduleDispatcher(deps: {
  schedules: Pick<ScheduleStore, "list" | "claimTick" | "releaseTick">;
  executions: Pick<ExecutionService, "start">;
  clock: Clock;
  logger: Logger;
}) {
  const { schedules, executions, clock, logger } = deps;

  return {
    /** One sweep; returns how many runs it started. Safe to run anywhere, any number of times. */
    async dispatch(): Promise<{ started: number }> {
      const now = clock.now();
      let started = 0;
      for (const entry of await schedules.list()) {
        const since = Math.max(Date.parse(entry.since) || 0, now - LOOK_BACK_MS);
        for (const [job, cronjob] of entry.cronjobs.entries()) {
          let ticks: number[];
          try {
            ticks = await ticksBetween(cronjob.cron, cronjob.timezone, since, now);
          } catch (error) {
            logger.warn(
              { workflow: entry.workflowName, err: (error as Error).message },
              "invalid stored schedule",
            );
            continue;
          }
          for (const tickMs of ticks) {
            const tick = new Date(tickMs).toISOString();
            const key = {
              orgId: entry.orgId,
              envId: entry.envId,
              workflowName: entry.workflowName,
              job,
              tick,
            };
            if (!(await schedules.claimTick(key, CLAIM_TTL_SECONDS))) continue;
            if (entry.paused?.includes(scheduleJobKey(cronjob))) continue;
            try {
              const principal = {
                kind: "schedule",
                orgId: entry.orgId,
                envId: entry.envId,
                workflowName: entry.workflowName,
              } as const;
              await executions.start(
                principal,
                { orgId: entry.orgId, envId: entry.envId },
                entry.workflowName,
                {
                  config: cronjob.config ?? {},
                  ...(cronjob.target ? { target: cronjob.target } : {}),
                  startedBy: {
                    kind: "schedule",
                    id: `${entry.workflowName}#${job}`,
                    cron: `${cronjob.cron}${cronjob.timezone ? ` ${cronjob.timezone}` : ""}`,
                  },
                  tags: {
                    [SCHEDULE_TAG]: `${cronjob.cron}${cronjob.timezone ? ` ${cronjob.timezone}` : ""}`,
                    [TICK_TAG]: tick,
                  },
                },
              );
              started++;
            } catch (error) {
              const code = isAppError(error) ? error.code : "internal";
              const context = {
                orgId: entry.orgId,
                envId: entry.envId,
                workflow: entry.workflowName,
                tick,
                code,
              };
              if (RETRYABLE.has(code)) {
                await schedules.releaseTick(key).catch(() => {});
                logger.warn(
                  { ...context, err: (error as Error).message },
                  "scheduled run not started; will retry",
                );
              } else {
                // Not found, invalid config...: retrying the same tick would fail the same way.
                logger.error({ ...context, err: (error as Error).message }, "scheduled run failed to start");
              }
            }
          }
        }
      }
      return { started };
    },
  };
}

export type ScheduleDispatcher = ReturnType<typeof createScheduleDispatcher>;
