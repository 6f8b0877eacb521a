/**
 * RunSlots on DynamoDB: one counter item per org (`ORG#{org}`/`RUNS`) raised with a conditional
 * `ADD` (only while below the plan's limit) and lowered when an execution ends. Cheap at run
 * start (one write) and exact under concurrency, unlike counting executions with a query.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RunSlots } from "../../core/ports.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** Creates RunSlots over the Assay table. */
export const createDynamoRunSlots = ({ client, tableName }: DynamoStoreConfig): RunSlots => {
  const doc = documentClient(client);

  return {
    async acquire(orgId, limit) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.runSlots(orgId),
            UpdateExpression: "ADD active :one",
            ConditionExpression: "attribute_not_exists(active) OR active < :limit",
            ExpressionAttributeValues: { ":one": 1, ":limit": limit },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async release(orgId) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.runSlots(orgId),
            UpdateExpression: "ADD active :minus",
            ConditionExpression: "active > :zero",
            ExpressionAttributeValues: { ":minus": -1, ":zero": 0 },
          }),
        );
      } catch (error) {
        // Already zero: executions from before slots were counted end without one.
        if (!isConditionFailed(error)) throw error;
      }
    },
  };
};
