/**
 * The index of scheduled workflows (their `cronjob` events) across organizations, with the
 * once-per-tick guard the cron dispatcher claims before it starts a run.
 */
import type { Execution } from "@assay/shared";
import type { EnvRef } from "./refs.ts";

/** One workflow's cron schedules, as the dispatcher reads them. */
export interface ScheduleEntry {
  orgId: string;
  envId: string;
  workflowName: string;
  /** When the schedules were applied (ISO): earlier ticks are never fired. */
  since: string;
  /** `spec.events[].cronjob`, in document order. */
  cronjobs: Array<{
    cron: string;
    timezone?: string;
    config?: Record<string, string | number | boolean>;
    /** The cron job's own `target`: replaces `execution.target` for the runs it starts. */
    target?: NonNullable<Execution["target"]>;
  }>;
  /**
   * Paused cron jobs by `scheduleJobKey` (cron and zone). Kept apart from the document, so an
   * apply that keeps a job keeps it paused; set only through `setPaused`.
   */
  paused?: string[];
}

/** Which workflow's schedules. */
export interface ScheduleRef {
  orgId: string;
  envId: string;
  workflowName: string;
}

/** The index of scheduled workflows across orgStore, plus the once-per-tick guard. */
export interface ScheduleStore {
  /** Records (or with no cronjobs, removes) a workflow's schedules; `paused` is left as stored. */
  put(entry: Omit<ScheduleEntry, "paused">): Promise<void>;
  remove(ref: ScheduleRef): Promise<void>;
  /** Every scheduled workflow. */
  list(): Promise<ScheduleEntry[]>;
  /** The scheduled workflows of one environment. */
  listByEnv(env: EnvRef): Promise<ScheduleEntry[]>;
  /**
   * Pauses (or resumes) the cron job with that key, atomically with other pauses; false when
   * the workflow has no schedules.
   */
  setPaused(ref: ScheduleRef, jobKey: string, paused: boolean): Promise<boolean>;
  /**
   * Claims `tick` (a cron job's firing time, ISO) of one workflow's cron job. True for exactly
   * one caller per key, however many dispatchers race; the claim expires after `ttlSeconds`.
   */
  claimTick(
    key: { orgId: string; envId: string; workflowName: string; job: number; tick: string },
    ttlSeconds: number,
  ): Promise<boolean>;
  /** Gives a claim back (the run could not be started), so a later sweep may retry the tick. */
  releaseTick(key: {
    orgId: string;
    envId: string;
    workflowName: string;
    job: number;
    tick: string;
  }): Promise<void>;
}
