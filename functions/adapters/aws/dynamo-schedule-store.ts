/**
 * ScheduleStore on DynamoDB. The index of scheduled workflows lives in one partition
 * (`SCHEDULES`, see dynamo-table.ts) so the dispatcher reads it with one query a minute. A tick
 * is claimed with a conditional put of `TICK#{workflow}#{job}#{tick}` in the environment's
 * partition: DynamoDB lets exactly one of any number of racing dispatchers create it. The claim
 * carries a TTL so old ticks clean themselves up. Paused cron jobs are a string set on the
 * schedule item, changed with ADD/DELETE (atomic, no read-modify-write); an apply rewrites
 * the other attributes only, so pauses survive it.
 */
import { DeleteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { ScheduleEntry, ScheduleRef, ScheduleStore } from "../../core/workflow-ports.ts";
import { putIfAbsent } from "./dynamo-conditional-writes.ts";
import { queryPrefix } from "./dynamo-reads.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE } from "./dynamo-ttl.ts";

const ScheduleItem = z.object({
  orgId: z.string(),
  envId: z.string(),
  workflowName: z.string(),
  since: z.string(),
  cronjobs: z.array(
    z.object({
      cron: z.string(),
      timezone: z.string().optional(),
      config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      target: z
        .object({
          match: z.record(z.string(), z.array(z.string())).optional(),
          not: z.record(z.string(), z.array(z.string())).optional(),
        })
        .optional(),
    }),
  ),
  // A DynamoDB string set reads back as a Set.
  paused: z
    .set(z.string())
    .transform((set) => [...set].sort())
    .optional(),
});

/** Creates a ScheduleStore over the Assay table. */
export const createDynamoScheduleStore = ({ client, tableName }: DynamoStoreConfig): ScheduleStore => {
  const doc = documentClient(client);
  /** Schedule items whose sort key starts with `prefix` (all of them for ""). */
  const query = async (prefix: string): Promise<ScheduleEntry[]> =>
    (await queryPrefix(doc, tableName, keys.schedulesPartition, prefix)).map((item) =>
      parseItem(ScheduleItem, item, "schedule"),
    );
  const remove = async ({ orgId, envId, workflowName }: ScheduleRef) => {
    await doc.send(
      new DeleteCommand({ TableName: tableName, Key: keys.schedule(orgId, envId, workflowName) }),
    );
  };
  return {
    async put(entry) {
      if (entry.cronjobs.length === 0) return remove(entry);
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.schedule(entry.orgId, entry.envId, entry.workflowName),
          UpdateExpression:
            "SET orgId = :org, envId = :env, workflowName = :wf, since = :since, cronjobs = :jobs, entity = :entity",
          ExpressionAttributeValues: {
            ":org": entry.orgId,
            ":env": entry.envId,
            ":wf": entry.workflowName,
            ":since": entry.since,
            ":jobs": entry.cronjobs,
            ":entity": "schedule",
          },
        }),
      );
    },

    remove,

    list: () => query(""),

    listByEnv: ({ orgId, envId }) => query(`${orgId}#${envId}#`),

    async setPaused(ref, jobKey, paused) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.schedule(ref.orgId, ref.envId, ref.workflowName),
            UpdateExpression: paused ? "ADD paused :job" : "DELETE paused :job",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":job": new Set([jobKey]) },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    claimTick: (key, ttlSeconds) =>
      putIfAbsent(doc, tableName, {
        ...keys.scheduleTick(key.orgId, key.envId, key.workflowName, key.job, key.tick),
        entity: "schedule-tick",
        [TTL_ATTRIBUTE]: Math.ceil(Date.parse(key.tick) / 1000) + ttlSeconds,
      }),

    async releaseTick(key) {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.scheduleTick(key.orgId, key.envId, key.workflowName, key.job, key.tick),
        }),
      );
    },
  };
};
