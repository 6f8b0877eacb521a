/**
 * RunSlots on DynamoDB: one item per org and pool (`ORG#{org}`/`RUNS#{pool}`) holding the string
 * set `holders`. Acquire is one conditional `ADD` (only while the set is smaller than the limit,
 * or already holds the id); release is one `DELETE` from the set. Cheap at run start (one write),
 * exact under concurrency, and idempotent, so a repeated release cannot free someone else's hold.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RunSlots } from "../../core/ports.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** Creates RunSlots over the Assay table. */
export const createDynamoRunSlots = ({ client, tableName }: DynamoStoreConfig): RunSlots => {
  const doc = documentClient(client);

  return {
    async acquire(orgId, pool, holder, limit) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.runSlots(orgId, pool),
            UpdateExpression: "ADD holders :id SET entity = :entity",
            ConditionExpression:
              "attribute_not_exists(holders) OR size(holders) < :limit OR contains(holders, :one)",
            ExpressionAttributeValues: {
              ":id": new Set([holder]),
              ":one": holder,
              ":limit": limit,
              ":entity": "run-slots",
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async release(orgId, pool, holder) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.runSlots(orgId, pool),
          UpdateExpression: "DELETE holders :id",
          ExpressionAttributeValues: { ":id": new Set([holder]) },
        }),
      );
    },

    async holders(orgId, pool) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.runSlots(orgId, pool), ConsistentRead: true }),
      );
      const set: unknown = Item?.holders;
      return set instanceof Set ? [...set].filter((h): h is string => typeof h === "string") : [];
    },
  };
};
