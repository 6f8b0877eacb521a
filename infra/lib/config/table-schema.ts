/**
 * The data layout the runtime expects. The table definition is imported from the DynamoDB
 * adapter's own plain-data module (it has no imports at all, so infra still pulls in no runtime
 * code): the deployed table and the adapter's keys cannot drift apart.
 */
import { TABLE_DEFINITION } from "../../../functions/adapters/aws/dynamo-table.ts";

export const tableDefinition = TABLE_DEFINITION;

/** Object key prefixes in the logs and artifacts buckets (`{prefix}{org}/{env}/{exec}/...`). */
export const objectPrefixes = { logs: "logs/", artifacts: "artifacts/" } as const;

/** SQS job kinds; one queue and one DLQ each. */
export const jobKinds = [
  "cleanup",
  "compact-logs",
  "unpack-artifacts",
  "retention",
  "webhook-events",
  "webhook-delivery",
  "insights",
] as const;
export type JobKind = (typeof jobKinds)[number];

/** The environment variable carrying a job kind's queue URL (`ASSAY_QUEUE_URL_COMPACT_LOGS`). */
export const queueUrlVariable = (kind: JobKind): string =>
  `ASSAY_QUEUE_URL_${kind.toUpperCase().replaceAll("-", "_")}`;

/** Receives before a message moves to its DLQ. */
export const maxReceiveCount = 5;
