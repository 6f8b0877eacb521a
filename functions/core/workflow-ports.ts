/**
 * Ports of the workflow engine's control-plane half (issue 4): templates, schedules and
 * concurrency groups. Kept beside ports.ts rather than in it so the engine's storage needs read
 * as one unit; the same rules apply (every key scoped by organization and environment).
 */
import type { Execution, WorkflowRecord } from "@assay/shared";
import type { EnvRef } from "./ports/refs.ts";

/** A stored TestWorkflowTemplate: the same record shape as a workflow. */
export type TemplateRecord = WorkflowRecord;

export interface TemplateStore {
  /** Creates or replaces; with `expectedVersion` (0 = must not exist) else throws `aborted`. */
  put(template: TemplateRecord, expectedVersion?: number): Promise<void>;
  get(env: EnvRef, name: string): Promise<TemplateRecord | undefined>;
  list(env: EnvRef): Promise<TemplateRecord[]>;
  /** False when there was nothing to delete. */
  delete(env: EnvRef, name: string): Promise<boolean>;
}

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

/**
 * Concurrency groups (`spec.concurrency`): the set of executions holding a slot of a group.
 * A set of ids rather than a counter makes acquire and release idempotent: a retried release
 * cannot free someone else's slot and a retried acquire cannot take two.
 */
export interface ConcurrencyGroups {
  /** Adds `executionId` to the group unless it already holds `max` others; true when it holds a slot. */
  acquire(env: EnvRef, group: string, executionId: string, max: number): Promise<boolean>;
  /** Removes `executionId` from the group (a no-op when it holds no slot). */
  release(env: EnvRef, group: string, executionId: string): Promise<void>;
}
