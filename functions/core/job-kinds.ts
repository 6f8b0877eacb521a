/**
 * The kinds of background jobs, as data: the only list of them. Queues are created, bodies
 * validated, workers wired and (in infra/) queues, alarms and grants declared from it, so this
 * module imports nothing: infra reads it without pulling in runtime code.
 */
export const JOB_KINDS = [
  "cleanup",
  "compact-logs",
  "unpack-artifacts",
  "retention",
  "webhook-events",
  "webhook-delivery",
  "insights",
] as const;

/** One kind of background job; each has its own queue (and DLQ) in AWS. */
export type JobKind = (typeof JOB_KINDS)[number];
