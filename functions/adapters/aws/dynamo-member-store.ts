/**
 * MemberStore on DynamoDB. Memberships live in the org's partition (`ORG#{org}`/`MEMBER#{user}`,
 * listed with one strongly consistent query) and are indexed per user on GSI1
 * (`USER#{user}#ORGS`) for "my organizations".
 *
 * Owners are counted on the org item (`ownerCount`). Every change that adds or removes an owner
 * is one transaction over the membership and the counter, conditioned on the membership's
 * current role and on `ownerCount > 1` when an owner goes: two owners demoting each other at
 * the same moment cannot both succeed.
 */
import { AppError, Membership, type Role } from "@assay/shared";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  GetCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { MemberStore } from "../../core/ports.ts";
import { queryAll } from "./dynamo-reads.ts";
import { type DynamoStoreConfig, documentClient, parseItem } from "./dynamo-support.ts";
import { GSI1, keys } from "./dynamo-table.ts";

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];

/** Creates a MemberStore over the Assay table. */
export const createDynamoMemberStore = ({ client, tableName }: DynamoStoreConfig): MemberStore => {
  const doc = documentClient(client);

  const get = async (orgId: string, userId: string) => {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: keys.member(orgId, userId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : parseItem(Membership, Item, "membership");
  };

  const query = async (input: Omit<QueryCommandInput, "TableName">): Promise<Membership[]> =>
    (await queryAll(doc, tableName, input)).map((item) => parseItem(Membership, item, "membership"));

  const listByOrg = (orgId: string) =>
    query({
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.org(orgId).pk, ":prefix": keys.memberPrefix },
      ConsistentRead: true,
    });

  /** The org counter update that goes with an owner arriving (+1) or leaving (-1). */
  const ownerDelta = (orgId: string, delta: 1 | -1): TransactItem => ({
    Update: {
      TableName: tableName,
      Key: keys.org(orgId),
      UpdateExpression:
        delta === 1
          ? "SET ownerCount = if_not_exists(ownerCount, :zero) + :one"
          : "SET ownerCount = ownerCount - :one",
      ConditionExpression: delta === 1 ? "attribute_exists(pk)" : "ownerCount > :one",
      ExpressionAttributeValues: delta === 1 ? { ":zero": 0, ":one": 1 } : { ":one": 1 },
    },
  });

  /** Runs a transaction; a failed owner counter means the last owner would go. */
  const transact = async (items: TransactItem[]) => {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [member, counter] = (error.CancellationReasons ?? []).map((r) => r.Code);
      if (counter === "ConditionalCheckFailed") {
        throw new AppError("failed_precondition", "an organization must keep at least one owner");
      }
      if (member === "ConditionalCheckFailed") {
        throw new AppError("aborted", "the membership changed at the same time: retry");
      }
      throw error;
    }
  };

  return {
    get,
    listByOrg,

    listByUser: (userId) =>
      query({
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.orgsOfUser(userId) },
      }),

    async setRole(orgId, userId, role: Role) {
      const current = await get(orgId, userId);
      if (!current) return undefined;
      if (current.role === role) return current;
      const update: TransactItem = {
        Update: {
          TableName: tableName,
          Key: keys.member(orgId, userId),
          UpdateExpression: "SET #role = :role",
          ConditionExpression: "#role = :current",
          ExpressionAttributeNames: { "#role": "role" },
          ExpressionAttributeValues: { ":role": role, ":current": current.role },
        },
      };
      if (current.role === "owner") await transact([update, ownerDelta(orgId, -1)]);
      else if (role === "owner") await transact([update, ownerDelta(orgId, 1)]);
      else await transact([update]);
      return { ...current, role };
    },

    async remove(orgId, userId) {
      const current = await get(orgId, userId);
      if (!current) return false;
      const remove: TransactItem = {
        Delete: {
          TableName: tableName,
          Key: keys.member(orgId, userId),
          ConditionExpression: "#role = :current",
          ExpressionAttributeNames: { "#role": "role" },
          ExpressionAttributeValues: { ":current": current.role },
        },
      };
      if (current.role === "owner") await transact([remove, ownerDelta(orgId, -1)]);
      else await transact([remove]);
      return true;
    },

    async add(member) {
      if (member.role === "owner") throw new AppError("invalid_argument", "owners are not added this way");
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: keys.org(member.orgId),
                  ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletedAt)",
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...Membership.parse(member),
                    ...keys.member(member.orgId, member.userId),
                    gsi1pk: keys.orgsOfUser(member.userId),
                    gsi1sk: keys.org(member.orgId).pk,
                    entity: "member",
                  },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [org] = (error.CancellationReasons ?? []).map((r) => r.Code);
        if (org === "ConditionalCheckFailed")
          throw new AppError("not_found", `organization ${member.orgId} not found`);
        return false;
      }
    },

    async purge(orgId) {
      const members = await listByOrg(orgId);
      for (let i = 0; i < members.length; i += 25) {
        await doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [tableName]: members
                .slice(i, i + 25)
                .map((m) => ({ DeleteRequest: { Key: keys.member(orgId, m.userId) } })),
            },
          }),
        );
      }
    },
  };
};
