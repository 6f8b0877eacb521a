/**
 * TokenStore on DynamoDB. A token is keyed by the SHA-256 of its secret (`TOKEN#{hash}`), the only
 * thing a caller presents, and listed per org through GSI1 (`ORG#{org}#TOKENS`). Revoking finds
 * the token's hash through that org-scoped index, then updates it on a condition that re-checks
 * the org, so one org can never revoke another's token. GSI reads are eventually consistent in
 * AWS: a token created a moment ago may be missing from `listByOrg` for a short while.
 */

import { AppError, TokenRecord } from "@assay/shared";
import { PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { TokenStore } from "../../core/ports.ts";
import { getItem, queryAll } from "./dynamo-reads.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  validateInput,
} from "./dynamo-support.ts";
import { GSI1, keys } from "./dynamo-table.ts";

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Creates a TokenStore over the Assay table. */
export const createDynamoTokenStore = ({ client, tableName }: DynamoStoreConfig): TokenStore => {
  const doc = documentClient(client);

  return {
    async put(token) {
      const item = validateInput(TokenRecord, token, "token");
      if (!HASH_PATTERN.test(item.hash)) {
        throw new AppError("invalid_argument", "token hash must be a lowercase hex SHA-256");
      }
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...item,
              ...keys.token(item.hash),
              gsi1pk: keys.tokensOfOrg(item.orgId),
              gsi1sk: keys.tokenInOrg(item.id),
              entity: "token",
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) throw new AppError("already_exists", "token already exists");
        throw error;
      }
    },

    async getByHash(hash) {
      if (!HASH_PATTERN.test(hash)) return undefined;
      const item = await getItem(doc, tableName, keys.token(hash));
      return item === undefined ? undefined : parseItem(TokenRecord, item, "token");
    },

    async listByOrg(orgId) {
      const items = await queryAll(doc, tableName, {
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.tokensOfOrg(orgId) },
      });
      return items.map((item) => parseItem(TokenRecord, item, "token"));
    },

    async revoke(orgId, tokenId, revokedAt) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: GSI1,
          KeyConditionExpression: "gsi1pk = :pk AND gsi1sk = :sk",
          ExpressionAttributeValues: { ":pk": keys.tokensOfOrg(orgId), ":sk": keys.tokenInOrg(tokenId) },
        }),
      );
      const found = Items?.[0];
      if (found === undefined) return false;
      const { hash } = parseItem(TokenRecord, found, "token");
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.token(hash),
            // Keep the first revocation time when revoked twice.
            UpdateExpression: "SET #revokedAt = if_not_exists(#revokedAt, :at)",
            ConditionExpression: "attribute_exists(pk) AND #orgId = :org AND #id = :id",
            ExpressionAttributeNames: { "#revokedAt": "revokedAt", "#orgId": "orgId", "#id": "id" },
            ExpressionAttributeValues: { ":at": revokedAt, ":org": orgId, ":id": tokenId },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },
  };
};
