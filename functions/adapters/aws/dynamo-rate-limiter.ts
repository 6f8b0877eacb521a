/**
 * RateLimiter on DynamoDB: a fixed-window counter per key. Each hit is one atomic `ADD` on the
 * window's item (`RATE#{key}`/`{window start}`), so every Lambda instance shares the same count;
 * the item expires by TTL shortly after its window. Keys hold no personal data in clear: callers
 * pass hashes of emails (see core/rate-limit.ts).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import type { RateLimiter } from "../../core/ports.ts";
import { type DynamoStoreConfig, documentClient } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const Hits = z.object({ hits: z.number().int() });

/** Creates a RateLimiter over the Assay table. */
export const createDynamoRateLimiter = ({ client, tableName }: DynamoStoreConfig): RateLimiter => {
  const doc = documentClient(client);

  return {
    async hit(key, limit, windowSeconds, nowMs) {
      const windowMs = windowSeconds * 1000;
      const start = Math.floor(nowMs / windowMs) * windowMs;
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.rate(key, start),
          UpdateExpression: "ADD hits :one SET #ttl = :ttl",
          ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ":one": 1, ":ttl": ttlOf(start + windowMs, 60) },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const { hits } = Hits.parse(Attributes);
      return {
        allowed: hits <= limit,
        retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - nowMs) / 1000)),
      };
    },
  };
};
