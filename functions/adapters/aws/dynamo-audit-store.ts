/**
 * AuditStore on DynamoDB: one partition per org (`ORG#{org}#AUDIT`), sorted by ULID, so the log
 * lists newest first with a reverse query and cursors are the last id seen. Events expire after
 * AUDIT_RETENTION_DAYS by TTL.
 */
import { AuditEvent } from "@assay/shared";
import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditStore } from "../../core/ports.ts";
import { decodeCursor, encodeCursor } from "./dynamo-cursor.ts";
import { type DynamoStoreConfig, documentClient, parseItem } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

/** How long audit events are kept. */
export const AUDIT_RETENTION_DAYS = 400;

/** Creates an AuditStore over the Assay table. */
export const createDynamoAuditStore = ({ client, tableName }: DynamoStoreConfig): AuditStore => {
  const doc = documentClient(client);

  return {
    async append(event) {
      const item = AuditEvent.parse(event);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...item,
            pk: keys.auditPartition(item.orgId),
            sk: item.id,
            [TTL_ATTRIBUTE]: ttlOf(item.at, AUDIT_RETENTION_DAYS * 86_400),
            entity: "audit",
          },
        }),
      );
    },

    async list(orgId, page) {
      const pk = keys.auditPartition(orgId);
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      const { Items = [], LastEvaluatedKey } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          ScanIndexForward: false,
          Limit: page.limit,
          ConsistentRead: true,
          ...(after ? { ExclusiveStartKey: { pk, sk: after } } : {}),
        }),
      );
      const items = Items.map((item) => parseItem(AuditEvent, item, "audit event"));
      const last = items.at(-1);
      return { items, nextCursor: LastEvaluatedKey && last ? encodeCursor(last.id) : undefined };
    },
  };
};
