/**
 * ConcurrencyGroups on DynamoDB: one item per group (`CONC#{group}` in the environment's
 * partition) holding the string set `holders` of execution ids. Acquire is one conditional
 * `ADD` (only while the set is smaller than `max`, or already holds the id); release is one
 * `DELETE` from the set. Both are idempotent, and a holder that is no longer active can be
 * spotted by comparing the set with execution statuses.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ConcurrencyGroups } from "../../core/ports/concurrency-groups.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** Creates ConcurrencyGroups over the Assay table. */
export const createDynamoConcurrencyGroups = ({
  client,
  tableName,
}: DynamoStoreConfig): ConcurrencyGroups => {
  const doc = documentClient(client);
  return {
    async acquire({ orgId, envId }, group, executionId, max) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.concurrencyGroup(orgId, envId, group),
            UpdateExpression: "ADD holders :id SET entity = :entity",
            ConditionExpression:
              "attribute_not_exists(holders) OR size(holders) < :max OR contains(holders, :one)",
            ExpressionAttributeValues: {
              ":id": new Set([executionId]),
              ":one": executionId,
              ":max": max,
              ":entity": "concurrency-group",
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async release({ orgId, envId }, group, executionId) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.concurrencyGroup(orgId, envId, group),
          UpdateExpression: "DELETE holders :id",
          ExpressionAttributeValues: { ":id": new Set([executionId]) },
        }),
      );
    },
  };
};
