/**
 * The data layout the runtime expects. The table definition and the job kinds are imported from
 * the runtime's own plain-data modules (they have no imports at all, so infra still pulls in no
 * runtime code): the deployed table, queues and the code cannot drift apart.
 */

import { TABLE_DEFINITION } from "../../../functions/adapters/aws/dynamo-table.ts";
import { JOB_KINDS } from "../../../functions/core/job-kinds.ts";

export const tableDefinition = TABLE_DEFINITION;

/** Object key prefixes in the logs and artifacts buckets (`{prefix}{org}/{env}/{exec}/...`). */
export const objectPrefixes = { logs: "logs/", artifacts: "artifacts/" } as const;

/** SQS job kinds (the runtime's own list); one queue and one DLQ each. */
export const jobKinds = JOB_KINDS;
export type JobKind = (typeof jobKinds)[number];

/** The environment variable carrying a job kind's queue URL (`ASSAY_QUEUE_URL_COMPACT_LOGS`). */
export const queueUrlVariable = (kind: JobKind): string =>
  `ASSAY_QUEUE_URL_${kind.toUpperCase().replaceAll("-", "_")}`;

/** Receives before a message moves to its DLQ. */
export const maxReceiveCount = 5;
