/**
 * UserStore on DynamoDB. A user item (`USER#{id}`) and an email claim (`EMAIL#{email}`) are
 * written in one transaction, so an address belongs to at most one account.
 */
import { AppError } from "@assay/shared";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { UserStore } from "../../core/ports.ts";
import { UserRecord } from "../../core/records.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** Creates a UserStore over the Assay table. */
export const createDynamoUserStore = ({ client, tableName }: DynamoStoreConfig): UserStore => {
  const doc = documentClient(client);

  const get = async (userId: string) => {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: keys.user(userId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseItem(UserRecord, Item, "user");
  };

  return {
    async create(user) {
      const item = UserRecord.parse(user);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.email(item.email), userId: item.id, entity: "email" },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...item, ...keys.user(item.id), entity: "user" },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          throw new AppError("already_exists", "an account with this email already exists");
        }
        throw error;
      }
    },

    get,

    async getByEmail(email) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.email(email), ConsistentRead: true }),
      );
      const userId = Item?.userId;
      return typeof userId === "string" ? get(userId) : undefined;
    },

    async setPassword(userId, passwordHash, changedAt) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.user(userId),
            UpdateExpression: "SET passwordHash = :hash, passwordChangedAt = :at",
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeValues: { ":hash": passwordHash, ":at": changedAt },
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) throw new AppError("not_found", "user not found");
        throw error;
      }
    },
  };
};
