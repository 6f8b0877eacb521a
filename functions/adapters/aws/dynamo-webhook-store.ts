/**
 * WebhookStore on DynamoDB: webhooks at `pk=ORG#{org}#ENV#{env}`, `sk=HOOK#{name}` with
 * optimistic concurrency on `version`; each webhook's delivery log in its own partition
 * (`...#HOOK#{name}`, sorted by attempt ULID, newest first by a reverse query), expiring by TTL.
 */
import { AppError, DeliveryView, WebhookView } from "@assay/shared";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { DeliveryRecord, WebhookRecord, WebhookStore } from "../../core/webhooks/ports.ts";
import { deleteItem } from "./dynamo-conditional-writes.ts";
import { getItem, queryPrefix } from "./dynamo-reads.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  versionCondition,
} from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const WebhookItem = WebhookView.omit({ hasSecret: true }).extend({
  secret: z.string().optional(),
  version: z.number().int(),
});

const DeliveryItem = DeliveryView.extend({ orgId: z.string(), envId: z.string(), webhook: z.string() });

const Cursor = z.string().regex(/^[0-9A-Z]{26}$/);

export const createDynamoWebhookStore = ({ client, tableName }: DynamoStoreConfig): WebhookStore => {
  const doc = documentClient(client);
  return {
    async put(webhook: WebhookRecord, expectedVersion?: number) {
      const condition = versionCondition(expectedVersion);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...webhook,
              ...keys.webhook(webhook.orgId, webhook.envId, webhook.name),
              entity: "webhook",
            },
            ...condition,
          }),
        );
      } catch (error) {
        if (isConditionFailed(error))
          throw new AppError("aborted", `webhook ${webhook.name} changed meanwhile`);
        throw error;
      }
    },

    async get({ orgId, envId }, name) {
      const item = await getItem(doc, tableName, keys.webhook(orgId, envId, name));
      return item ? parseItem(WebhookItem, item, "webhook") : undefined;
    },

    async list({ orgId, envId }) {
      const items = await queryPrefix(doc, tableName, keys.envPartition(orgId, envId), keys.webhookPrefix);
      return items.map((item): WebhookRecord => parseItem(WebhookItem, item, "webhook"));
    },

    async delete({ orgId, envId }, name) {
      return deleteItem(doc, tableName, keys.webhook(orgId, envId, name));
    },

    async appendDelivery(delivery: DeliveryRecord, retentionDays: number) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...delivery,
            pk: keys.deliveries(delivery.orgId, delivery.envId, delivery.webhook),
            sk: delivery.id,
            [TTL_ATTRIBUTE]: ttlOf(delivery.at, retentionDays * 86_400),
            entity: "webhook-delivery",
          },
        }),
      );
    },

    async listDeliveries({ orgId, envId }, webhook, page) {
      const pk = keys.deliveries(orgId, envId, webhook);
      if (page.cursor !== undefined && !Cursor.safeParse(page.cursor).success) {
        throw new AppError("invalid_argument", "invalid pagination cursor");
      }
      const { Items = [], LastEvaluatedKey } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ScanIndexForward: false,
          Limit: page.limit,
          ConsistentRead: true,
          ...(page.cursor ? { ExclusiveStartKey: { pk, sk: page.cursor } } : {}),
        }),
      );
      const items = Items.map((item) => parseItem(DeliveryItem, item, "webhook delivery"));
      const last = items.at(-1);
      return { items, nextCursor: LastEvaluatedKey && last ? last.id : undefined };
    },

    async getDelivery({ orgId, envId }, webhook, id) {
      if (!Cursor.safeParse(id).success) return undefined;
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: keys.deliveries(orgId, envId, webhook), sk: id },
          ConsistentRead: true,
        }),
      );
      return Item ? parseItem(DeliveryItem, Item, "webhook delivery") : undefined;
    },
  };
};
