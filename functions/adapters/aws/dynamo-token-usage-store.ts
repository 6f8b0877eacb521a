/**
 * TokenUsageStore on DynamoDB: sets `lastUsedAt` on a token item (keyed as in the token store),
 * only when the stored value is older than the interval, so a busy token costs one write per
 * interval and not one per request. ISO 8601 UTC strings compare in time order.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TokenUsageStore } from "../../core/ports.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** Creates a TokenUsageStore over the Assay table. */
export const createDynamoTokenUsageStore = ({ client, tableName }: DynamoStoreConfig): TokenUsageStore => {
  const doc = documentClient(client);
  return {
    async touch(hash, at, minIntervalSeconds) {
      if (!/^[0-9a-f]{64}$/.test(hash)) return;
      const cutoff = new Date(Date.parse(at) - minIntervalSeconds * 1000).toISOString();
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.token(hash),
            UpdateExpression: "SET lastUsedAt = :at",
            ConditionExpression:
              "attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)",
            ExpressionAttributeValues: { ":at": at, ":cutoff": cutoff },
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    },
  };
};
