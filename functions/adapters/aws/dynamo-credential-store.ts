/**
 * CredentialStore on DynamoDB: one partition per organization (`ORG#{org}#CRED`) holding its
 * wrapped data key (`KEY`), its own credentials (`O#{name}`) and its environments' (`E#{env}#{name}`),
 * so a scope lists with one query and nothing is ever read across organizations. Items hold
 * sealed values only. Writes are conditional on the version read (rotations never cross).
 */
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { type CredentialStore, StoredCredential } from "../../core/credential-ports.ts";
import { deleteItem, putIfAbsent } from "./dynamo-conditional-writes.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

const scopePrefix = (envId: string | undefined) => (envId === undefined ? "O#" : `E#${envId}#`);
const DataKeyItem = z.object({ wrapped: z.string() });

/** Creates a CredentialStore over the Assay table. */
export const createDynamoCredentialStore = ({ client, tableName }: DynamoStoreConfig): CredentialStore => {
  const doc = documentClient(client);
  const keyOf = (orgId: string, envId: string | undefined, name: string) => ({
    pk: keys.credentialPartition(orgId),
    sk: `${scopePrefix(envId)}${name}`,
  });

  return {
    async put(item) {
      const parsed = StoredCredential.parse(item);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...parsed, ...keyOf(parsed.orgId, parsed.envId, parsed.name), entity: "credential" },
            ...(parsed.version === 1
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : {
                  ConditionExpression: "version = :previous",
                  ExpressionAttributeValues: { ":previous": parsed.version - 1 },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async get({ orgId, envId }, name) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keyOf(orgId, envId, name), ConsistentRead: true }),
      );
      return Item ? parseItem(StoredCredential, Item, "credential") : undefined;
    },

    async list({ orgId, envId }) {
      const out: StoredCredential[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: {
              ":pk": keys.credentialPartition(orgId),
              ":prefix": scopePrefix(envId),
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) out.push(parseItem(StoredCredential, item, "credential"));
        start = page.LastEvaluatedKey;
      } while (start);
      return out;
    },

    async delete({ orgId, envId }, name) {
      return deleteItem(doc, tableName, keyOf(orgId, envId, name));
    },

    async getDataKey(orgId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: keys.credentialPartition(orgId), sk: "KEY" },
          ConsistentRead: true,
        }),
      );
      return Item ? parseItem(DataKeyItem, Item, "data key").wrapped : undefined;
    },

    createDataKey: (orgId, wrapped) =>
      putIfAbsent(doc, tableName, {
        pk: keys.credentialPartition(orgId),
        sk: "KEY",
        wrapped,
        entity: "data-key",
      }),
  };
};
