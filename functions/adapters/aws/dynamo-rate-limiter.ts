/**
 * RateLimiter on DynamoDB: a fixed-window counter per key. Each hit (or reservation of several)
 * is one atomic `ADD` on the window's item (`RATE#{key}`/`{window start}`), so every Lambda and
 * ingress instance shares the same count; the item expires by TTL shortly after its window. Keys
 * hold no personal data in clear: callers pass hashes of emails (see core/rate-limit.ts).
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { fixedWindow } from "../../core/ports/rate-limiter.ts";
import type { RateLimiter } from "../../core/ports.ts";
import { type DynamoStoreConfig, documentClient } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const Hits = z.object({ hits: z.number().int() });

/** Creates a RateLimiter over the Assay table. */
export const createDynamoRateLimiter = ({ client, tableName }: DynamoStoreConfig): RateLimiter => {
  const doc = documentClient(client);

  /** Adds `count` to the window's counter; the window's bounds and its count after the add. */
  async function add(key: string, count: number, windowSeconds: number, nowMs: number) {
    const { startMs: start, retryAfterSeconds } = fixedWindow(nowMs, windowSeconds);
    const { Attributes } = await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.rate(key, start),
        UpdateExpression: "ADD hits :n SET #ttl = :ttl",
        ExpressionAttributeNames: { "#ttl": TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ":n": count, ":ttl": ttlOf(start + windowSeconds * 1000, 60) },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    const { hits } = Hits.parse(Attributes);
    return { hits, retryAfterSeconds };
  }

  return {
    async hit(key, limit, windowSeconds, nowMs) {
      const { hits, retryAfterSeconds } = await add(key, 1, windowSeconds, nowMs);
      return { allowed: hits <= limit, retryAfterSeconds };
    },

    async reserve(key, count, limit, windowSeconds, nowMs) {
      const { hits, retryAfterSeconds } = await add(key, count, windowSeconds, nowMs);
      const countBefore = hits - count;
      return { granted: Math.max(0, Math.min(count, limit - countBefore)), countBefore, retryAfterSeconds };
    },
  };
};
