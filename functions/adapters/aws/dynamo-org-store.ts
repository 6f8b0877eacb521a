/**
 * OrgStore on DynamoDB: organizations and their environments share the org's partition
 * (`ORG#{org}`), so listing environments is one strongly consistent query. The org item also
 * carries two counters, `envCount` and `ownerCount`, updated in the same transaction as the
 * items they count. Plan limits and "an org keeps an owner" are therefore conditions on one
 * item, which hold under concurrent requests, not checks after a read; an environment is created
 * in a transaction on its org item, so none can outlive or precede its organization.
 *
 * Orgs created before the counters existed (or by createOrg) have no `envCount`: the first
 * environment created seeds it from a listing.
 */
import { AppError, Environment, Organization } from "@assay/shared";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, paginateQuery, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OrgStore } from "../../core/ports.ts";
import { putIfAbsent, updateIfMatches } from "./dynamo-conditional-writes.ts";
import { getItem, queryAll, queryPrefix } from "./dynamo-reads.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  validateInput,
} from "./dynamo-support.ts";
import { GSI1, keys } from "./dynamo-table.ts";

const reasons = (error: unknown): Array<string | undefined> =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];

/** Creates an OrgStore over the Assay table. */
export const createDynamoOrgStore = ({ client, tableName }: DynamoStoreConfig): OrgStore => {
  const doc = documentClient(client);

  const countEnvs = async (orgId: string): Promise<number> => {
    let count = 0;
    const pages = paginateQuery(
      { client: doc },
      {
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.org(orgId).pk, ":prefix": keys.envPrefix },
        Select: "COUNT",
        ConsistentRead: true,
      },
    );
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  };

  return {
    async createOrg(org) {
      const item = validateInput(Organization, org, "organization");
      const stored = { ...item, ...keys.org(item.id), gsi1pk: keys.allOrgs, gsi1sk: item.id, entity: "org" };
      if (!(await putIfAbsent(doc, tableName, stored))) {
        throw new AppError("already_exists", `organization ${item.id} already exists`);
      }
    },

    async getOrg(orgId) {
      const item = await getItem(doc, tableName, keys.org(orgId));
      return item === undefined ? undefined : parseItem(Organization, item, "organization");
    },

    async listOrgIds() {
      const items = await queryAll(doc, tableName, {
        IndexName: GSI1,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.allOrgs },
        ProjectionExpression: "gsi1sk",
      });
      return items.flatMap((item) => (typeof item.gsi1sk === "string" ? [item.gsi1sk] : []));
    },

    async getEnv({ orgId, envId }) {
      const item = await getItem(doc, tableName, keys.env(orgId, envId));
      return item === undefined ? undefined : parseItem(Environment, item, "environment");
    },

    async listEnvs(orgId) {
      const items = await queryPrefix(doc, tableName, keys.org(orgId).pk, keys.envPrefix);
      return items.map((item) => parseItem(Environment, item, "environment"));
    },

    async createWithOwner(org, owner) {
      const item = Organization.parse(org);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...item,
                    ...keys.org(item.id),
                    envCount: 0,
                    ownerCount: 1,
                    gsi1pk: keys.allOrgs,
                    gsi1sk: item.id,
                    entity: "org",
                  },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...owner,
                    ...keys.member(item.id, owner.userId),
                    gsi1pk: keys.orgsOfUser(owner.userId),
                    gsi1sk: keys.org(item.id).pk,
                    entity: "member",
                  },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (reasons(error)[0] === "ConditionalCheckFailed") {
          throw new AppError("already_exists", `organization ${item.id} already exists`);
        }
        throw error;
      }
    },

    async update(orgId, patch, limits) {
      const sets: string[] = [];
      const values: Record<string, unknown> = {};
      const names: Record<string, string> = {};
      if (patch.name !== undefined) {
        sets.push("#name = :name");
        names["#name"] = "name";
        values[":name"] = patch.name;
      }
      let condition = "attribute_exists(pk) AND attribute_not_exists(deletedAt)";
      if (patch.plan !== undefined) {
        sets.push("#plan = :plan");
        names["#plan"] = "plan";
        values[":plan"] = patch.plan;
        values[":envLimit"] = limits.environments;
        condition += " AND (attribute_not_exists(envCount) OR envCount <= :envLimit)";
      }
      if (sets.length === 0) {
        const { Item } = await doc.send(
          new GetCommand({ TableName: tableName, Key: keys.org(orgId), ConsistentRead: true }),
        );
        const org = Item === undefined ? undefined : parseItem(Organization, Item, "organization");
        return org?.deletedAt ? undefined : org;
      }
      try {
        const { Attributes } = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.org(orgId),
            UpdateExpression: `SET ${sets.join(", ")}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
        );
        return Attributes === undefined ? undefined : parseItem(Organization, Attributes, "organization");
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        if (patch.plan !== undefined) {
          throw new AppError(
            "failed_precondition",
            `plan ${patch.plan} allows ${limits.environments} environments: delete some first`,
          );
        }
        return undefined;
      }
    },

    async markDeleted(orgId, at) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.org(orgId),
          UpdateExpression: "SET deletedAt = if_not_exists(deletedAt, :at), ownerCount = :zero",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":at": at, ":zero": 0 },
        }),
      );
    },

    async createEnv(env, limit) {
      const item = validateInput(Environment, env, "environment");
      const seed = await countEnvs(item.orgId);
      const limited = limit !== undefined;
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: keys.org(item.orgId),
                  UpdateExpression: "SET envCount = if_not_exists(envCount, :seed) + :one",
                  ConditionExpression:
                    "attribute_exists(pk) AND attribute_not_exists(deletedAt)" +
                    (limited
                      ? " AND ((attribute_not_exists(envCount) AND :seed < :limit) OR envCount < :limit)"
                      : ""),
                  ExpressionAttributeValues: {
                    ":seed": seed,
                    ":one": 1,
                    ...(limited ? { ":limit": limit } : {}),
                  },
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...item, ...keys.env(item.orgId, item.id), entity: "env" },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
            ],
          }),
        );
      } catch (error) {
        const cancelled =
          error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        const [org, put] = cancelled;
        if (put?.Code === "ConditionalCheckFailed") {
          throw new AppError("already_exists", `environment ${item.id} already exists`);
        }
        if (org?.Code === "ConditionalCheckFailed") {
          // The old org item tells a missing (or deleted) organization from a full one.
          if (org.Item === undefined || org.Item.deletedAt !== undefined) {
            throw new AppError("not_found", `organization ${item.orgId} not found`);
          }
          throw new AppError(
            "resource_exhausted",
            `plan limit reached: at most ${limit} environments in this organization`,
          );
        }
        throw error;
      }
    },

    async updateEnv({ orgId, envId }, patch, at) {
      const written = await updateIfMatches(doc, {
        TableName: tableName,
        Key: keys.env(orgId, envId),
        UpdateExpression: "SET #name = :name, updatedAt = :at",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#name": "name" },
        ExpressionAttributeValues: { ":name": patch.name, ":at": at },
      });
      return written === undefined ? undefined : parseItem(Environment, written, "environment");
    },

    async deleteEnv({ orgId, envId }) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: keys.env(orgId, envId),
                  ConditionExpression: "attribute_exists(pk)",
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: keys.org(orgId),
                  // Orgs without a counter keep none; a counter never goes below zero.
                  UpdateExpression: "SET envCount = envCount - :one",
                  ConditionExpression: "attribute_exists(pk) AND envCount > :zero",
                  ExpressionAttributeValues: { ":one": 1, ":zero": 0 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        const [env, org] = reasons(error);
        if (env === "ConditionalCheckFailed") return false;
        if (org === "ConditionalCheckFailed") {
          // No counter (an org from before counters) or already zero: delete the environment alone.
          await doc
            .send(
              new TransactWriteCommand({
                TransactItems: [
                  {
                    Delete: {
                      TableName: tableName,
                      Key: keys.env(orgId, envId),
                      ConditionExpression: "attribute_exists(pk)",
                    },
                  },
                ],
              }),
            )
            .catch((e: unknown) => {
              if (reasons(e)[0] !== "ConditionalCheckFailed") throw e;
            });
          return true;
        }
        throw error;
      }
    },
  };
};
