/**
 * InvitationStore on DynamoDB. Like API tokens, an invitation is keyed by the hash of its secret
 * (`INVITE#{hash}`, the only thing the invitee presents) and listed per org through GSI1.
 * Accepting is one transaction: the invitation is deleted (if unexpired), the membership created
 * (if absent) and, for an owner, the org's owner counter raised; all or nothing.
 */
import { AppError } from "@assay/shared";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, PutCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { InvitationStore } from "../../core/ports.ts";
import { InvitationRecord } from "../../core/records.ts";
import { getItem, queryAll } from "./dynamo-reads.ts";
import { type DynamoStoreConfig, documentClient, isConditionFailed, parseItem } from "./dynamo-support.ts";
import { GSI1, keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const HASH = /^[0-9a-f]{64}$/;

/** Creates an InvitationStore over the Assay table. */
export const createDynamoInvitationStore = ({ client, tableName }: DynamoStoreConfig): InvitationStore => {
  const doc = documentClient(client);

  return {
    async put(invitation) {
      const item = InvitationRecord.parse(invitation);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...item,
            ...keys.invitation(item.hash),
            gsi1pk: keys.invitationsOfOrg(item.orgId),
            gsi1sk: keys.invitationInOrg(item.id),
            [TTL_ATTRIBUTE]: ttlOf(item.expiresAt),
            entity: "invitation",
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    },

    async getByHash(hash) {
      if (!HASH.test(hash)) return undefined;
      const item = await getItem(doc, tableName, keys.invitation(hash));
      return item === undefined ? undefined : parseItem(InvitationRecord, item, "invitation");
    },

    async listByOrg(orgId) {
      const items = await queryAll(doc, tableName, {
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.invitationsOfOrg(orgId) },
      });
      return items.map((item) => parseItem(InvitationRecord, item, "invitation"));
    },

    async revoke(orgId, invitationId) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: GSI1,
          KeyConditionExpression: "gsi1pk = :pk AND gsi1sk = :sk",
          ExpressionAttributeValues: {
            ":pk": keys.invitationsOfOrg(orgId),
            ":sk": keys.invitationInOrg(invitationId),
          },
        }),
      );
      const found = Items?.[0];
      if (found === undefined) return false;
      const { hash } = parseItem(InvitationRecord, found, "invitation");
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: keys.invitation(hash),
            ConditionExpression: "orgId = :org AND id = :id",
            ExpressionAttributeValues: { ":org": orgId, ":id": invitationId },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async accept(hash, member, now) {
      if (!HASH.test(hash)) return false;
      const orgCheck =
        member.role === "owner"
          ? {
              Update: {
                TableName: tableName,
                Key: keys.org(member.orgId),
                UpdateExpression: "SET ownerCount = if_not_exists(ownerCount, :zero) + :one",
                ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletedAt)",
                ExpressionAttributeValues: { ":zero": 0, ":one": 1 },
              },
            }
          : {
              ConditionCheck: {
                TableName: tableName,
                Key: keys.org(member.orgId),
                ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(deletedAt)",
              },
            };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: keys.invitation(hash),
                  ConditionExpression:
                    "attribute_exists(pk) AND expiresAt > :now AND orgId = :org AND #role = :role",
                  ExpressionAttributeNames: { "#role": "role" },
                  ExpressionAttributeValues: { ":now": now, ":org": member.orgId, ":role": member.role },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...member,
                    ...keys.member(member.orgId, member.userId),
                    gsi1pk: keys.orgsOfUser(member.userId),
                    gsi1sk: keys.org(member.orgId).pk,
                    entity: "member",
                  },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
              orgCheck,
            ],
          }),
        );
        return true;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [invitation, membership, org] = (error.CancellationReasons ?? []).map((r) => r.Code);
        if (invitation === "ConditionalCheckFailed" || org === "ConditionalCheckFailed") return false;
        if (membership === "ConditionalCheckFailed") {
          throw new AppError("already_exists", "you are already a member of this organization");
        }
        throw error;
      }
    },
  };
};
