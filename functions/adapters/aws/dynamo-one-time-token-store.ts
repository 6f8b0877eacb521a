/**
 * OneTimeTokenStore on DynamoDB. Consuming is one conditional DeleteItem that returns the old
 * item, so a token works once even when two requests race with it.
 */
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { OneTimeTokenStore } from "../../core/ports.ts";
import { OneTimeToken } from "../../core/records.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const HASH = /^[0-9a-f]{64}$/;

/** Creates a OneTimeTokenStore over the Assay table. */
export const createDynamoOneTimeTokenStore = ({
  client,
  tableName,
}: DynamoStoreConfig): OneTimeTokenStore => {
  const doc = documentClient(client);

  return {
    async put(token) {
      const item = OneTimeToken.parse(token);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...item,
            ...keys.oneTime(item.hash),
            [TTL_ATTRIBUTE]: ttlOf(item.expiresAt),
            entity: "onetime",
          },
        }),
      );
    },

    async get(hash) {
      if (!HASH.test(hash)) return undefined;
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.oneTime(hash), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : parseItem(OneTimeToken, Item, "one-time token");
    },

    async consume(hash, purpose, now) {
      if (!HASH.test(hash)) return undefined;
      try {
        const { Attributes } = await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.oneTime(hash),
            ConditionExpression: "attribute_exists(pk) AND purpose = :purpose AND expiresAt > :now",
            ExpressionAttributeValues: { ":purpose": purpose, ":now": now },
            ReturnValues: "ALL_OLD",
          }),
        );
        return Attributes === undefined ? undefined : parseItem(OneTimeToken, Attributes, "one-time token");
      } catch (error) {
        if (isConditionFailed(error)) return undefined;
        throw error;
      }
    },
  };
};
