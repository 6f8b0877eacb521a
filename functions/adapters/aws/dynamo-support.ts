/**
 * Small helpers shared by the DynamoDB stores: the document client, condition-failure detection,
 * and parsing items read back through the domain's zod schemas (never `item as T`).
 */

import { AppError } from "@assay/shared";
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { z } from "zod";

/** What every store factory takes. */
export interface DynamoStoreConfig {
  client: DynamoDBClient;
  tableName: string;
}

/** Wraps a low-level client; `undefined` fields of domain objects are dropped, not rejected. */
export const documentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

/** True when a write failed its ConditionExpression (whatever SDK class carried it). */
export const isConditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === "ConditionalCheckFailedException");

/**
 * Parses a stored item with a domain schema. zod strips the key attributes (pk, gsi*...). A
 * stored item that does not parse is a bug or corruption: an `internal` error, never a 4xx.
 */
export const parseItem = <S extends z.ZodType>(
  schema: S,
  item: Record<string, unknown>,
  what: string,
): z.output<S> => {
  const result = schema.safeParse(item);
  if (!result.success) {
    throw new AppError("internal", `stored ${what} is malformed`, { cause: result.error });
  }
  return result.data;
};

/** Validates a domain object before writing it; bad input from a caller is `invalid_argument`. */
export const validateInput = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError("invalid_argument", `invalid ${what}`, {
      issues: result.error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: issue.message,
      })),
    });
  }
  return result.data;
};

/**
 * The ConditionExpression of an optimistic write: none, "must not exist" (0), or "the stored
 * `version` is `expected`".
 */
export const versionCondition = (expected: number | undefined) =>
  expected === undefined
    ? {}
    : expected === 0
      ? { ConditionExpression: "attribute_not_exists(pk)" }
      : {
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":expected": expected },
        };
