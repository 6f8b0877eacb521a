/**
 * TenantStore on DynamoDB: organizations and their environments share the org's partition
 * (`ORG#{org}`), so listing environments is one strongly consistent query. Creation is a
 * conditional put; an environment is created in a transaction that also checks its org exists,
 * so no environment can outlive or precede its organization.
 */

import { AppError, Environment, Organization } from "@assay/shared";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, paginateQuery, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { TenantStore } from "../../core/ports.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  validateInput,
} from "./dynamo-support.ts";
import { GSI1, keys } from "./dynamo-table.ts";

/** Creates a TenantStore over the Assay table. */
export const createDynamoTenantStore = ({ client, tableName }: DynamoStoreConfig): TenantStore => {
  const doc = documentClient(client);

  return {
    async createOrg(org) {
      const item = validateInput(Organization, org, "organization");
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...item, ...keys.org(item.id), gsi1pk: keys.allOrgs, gsi1sk: item.id, entity: "org" },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) {
          throw new AppError("already_exists", `organization ${item.id} already exists`);
        }
        throw error;
      }
    },

    async getOrg(orgId) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.org(orgId), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : parseItem(Organization, Item, "organization");
    },

    async createEnv(env) {
      const item = validateInput(Environment, env, "environment");
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: keys.org(item.orgId),
                  ConditionExpression: "attribute_exists(pk)",
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
        if (error instanceof TransactionCanceledException) {
          const [orgCheck, envPut] = error.CancellationReasons ?? [];
          if (orgCheck?.Code === "ConditionalCheckFailed") {
            throw new AppError("not_found", `organization ${item.orgId} not found`);
          }
          if (envPut?.Code === "ConditionalCheckFailed") {
            throw new AppError("already_exists", `environment ${item.id} already exists`);
          }
        }
        throw error;
      }
    },

    async getEnv(orgId, envId) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: keys.env(orgId, envId), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : parseItem(Environment, Item, "environment");
    },

    async listEnvs(orgId) {
      const envs: Environment[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.org(orgId).pk, ":prefix": keys.envPrefix },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) envs.push(parseItem(Environment, item, "environment"));
      }
      return envs;
    },

    async listOrgIds() {
      const ids: string[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          IndexName: GSI1,
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.allOrgs },
          ProjectionExpression: "gsi1sk",
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) if (typeof item.gsi1sk === "string") ids.push(item.gsi1sk);
      }
      return ids;
    },
  };
};
