import type { JobKind } from "../job-kinds.ts";

/** The kinds of background jobs (the list is plain data, shared with infra/). */
export { JOB_KINDS, type JobKind } from "../job-kinds.ts";

export interface Job {
  kind: JobKind;
  /** Stable id for idempotency (e.g. the execution id). */
  id: string;
  payload: Record<string, string>;
}

export interface JobQueue {
  /** Enqueues a job; with `delaySeconds` (0-900) it becomes visible only after that delay. */
  send(job: Job, options?: { delaySeconds?: number }): Promise<void>;
}
