/**
 * SessionStore on DynamoDB: sessions keyed by the hash of the cookie value, listed per user
 * through GSI1 so a password reset can end them all. Expired items go away by TTL; readers
 * check `expiresAt` themselves.
 */
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SessionStore } from "../../core/ports.ts";
import { SessionRecord } from "../../core/records.ts";
import { queryAll } from "./dynamo-reads.ts";
import { type DynamoStoreConfig, documentClient, parseItem } from "./dynamo-support.ts";
import { GSI1, keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const HASH = /^[0-9a-f]{64}$/;

/** Creates a SessionStore over the Assay table. */
export const createDynamoSessionStore = ({ client, tableName }: DynamoStoreConfig): SessionStore => {
  const doc = documentClient(client);

  return {
    async put(session) {
      const item = SessionRecord.parse(session);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...item,
            ...keys.session(item.hash),
            gsi1pk: keys.sessionsOfUser(item.userId),
            gsi1sk: keys.session(item.hash).pk,
            [TTL_ATTRIBUTE]: ttlOf(item.expiresAt),
            entity: "session",
          },
        }),
      );
    },

    async get(hash) {
      if (!HASH.test(hash)) return undefined;
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.session(hash), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : parseItem(SessionRecord, Item, "session");
    },

    async delete(hash) {
      if (!HASH.test(hash)) return;
      await doc.send(new DeleteCommand({ TableName: tableName, Key: keys.session(hash) }));
    },

    async deleteAllForUser(userId) {
      const sessions = await queryAll(doc, tableName, {
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.sessionsOfUser(userId) },
      });
      const hashes = sessions.map((item) => parseItem(SessionRecord, item, "session").hash);
      for (let i = 0; i < hashes.length; i += 25) {
        const batch = hashes.slice(i, i + 25);
        await doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [tableName]: batch.map((hash) => ({ DeleteRequest: { Key: keys.session(hash) } })),
            },
          }),
        );
      }
    },
  };
};
