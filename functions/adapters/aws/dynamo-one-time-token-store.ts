/**
 * OneTimeTokenStore on DynamoDB. Each token is written together with a "latest" item for its
 * purpose and email holding the token's hash, so issuing a token retires every older one of that
 * purpose for that email (the older links stay in the table until their TTL but cannot be
 * used). Consuming is one transaction that deletes the token and the latest item on the
 * condition that the latest item names this token: a token works once even when two requests
 * race with it, and after it is used no older token for the same email works either.
 */
import { createHash } from "node:crypto";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { OneTimeTokenStore } from "../../core/ports.ts";
import { OneTimeToken } from "../../core/records.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const HASH = /^[0-9a-f]{64}$/;

/** Key of the item naming the newest token of a purpose for an email (hashed: no email in keys). */
const latestKey = (purpose: string, email: string) =>
  keys.oneTime(`LATEST#${purpose}#${createHash("sha256").update(email.toLowerCase()).digest("hex")}`);

/** Creates a OneTimeTokenStore over the Assay table. */
export const createDynamoOneTimeTokenStore = ({
  client,
  tableName,
}: DynamoStoreConfig): OneTimeTokenStore => {
  const doc = documentClient(client);

  return {
    async put(token) {
      const item = OneTimeToken.parse(token);
      const ttl = { [TTL_ATTRIBUTE]: ttlOf(item.expiresAt) };
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...item, ...keys.oneTime(item.hash), ...ttl, entity: "onetime" },
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...latestKey(item.purpose, item.email),
                  latest: item.hash,
                  ...ttl,
                  entity: "onetime-latest",
                },
              },
            },
          ],
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
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.oneTime(hash), ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      const token = parseItem(OneTimeToken, Item, "one-time token");
      if (token.purpose !== purpose || token.expiresAt <= now) return undefined;
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: keys.oneTime(hash),
                  ConditionExpression: "attribute_exists(pk) AND purpose = :purpose AND expiresAt > :now",
                  ExpressionAttributeValues: { ":purpose": purpose, ":now": now },
                },
              },
              {
                Delete: {
                  TableName: tableName,
                  Key: latestKey(purpose, token.email),
                  ConditionExpression: "latest = :hash",
                  ExpressionAttributeValues: { ":hash": hash },
                },
              },
            ],
          }),
        );
        return token;
      } catch (error) {
        if (error instanceof TransactionCanceledException || isConditionFailed(error)) return undefined;
        throw error;
      }
    },
  };
};
