/**
 * Opaque pagination cursors for execution listings. A cursor names the last execution a page
 * examined; the store rebuilds DynamoDB's ExclusiveStartKey from it and from the query's own
 * (org-scoped) partition key. Carrying only the id keeps cursors short (the API caps them at 200
 * characters, and a raw LastEvaluatedKey of a GSI query can exceed that), leaks no key layout,
 * and means a cursor can never move a query into another tenant's partition.
 */
import { AppError, ExecutionId } from "@assay/shared";
import * as z from "zod";

const CursorBody = z.object({ v: z.literal(1), after: ExecutionId }).strict();

/** Encodes "continue after this execution id" as base64url. */
export const encodeCursor = (afterId: string): string =>
  Buffer.from(JSON.stringify({ v: 1, after: afterId }), "utf8").toString("base64url");

/** Decodes a cursor; anything malformed is `invalid_argument`. */
export const decodeCursor = (cursor: string): string => {
  const bad = () => new AppError("invalid_argument", "invalid pagination cursor");
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw bad();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  const parsed = CursorBody.safeParse(json);
  if (!parsed.success) throw bad();
  return parsed.data.after;
};
