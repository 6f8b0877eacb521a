/**
 * TTL attribute values. DynamoDB deletes expired items lazily (often within minutes, sometimes
 * days later), so readers always check the record's own expiry too; TTL only keeps the table
 * from filling up with dead sessions, tokens and counters.
 */
import { TABLE_DEFINITION } from "./dynamo-table.ts";

export const TTL_ATTRIBUTE = TABLE_DEFINITION.timeToLiveAttribute;

/** Epoch seconds of an ISO time (or epoch milliseconds), plus a grace in seconds. */
export const ttlOf = (at: string | number, graceSeconds = 0): number =>
  Math.ceil((typeof at === "number" ? at : Date.parse(at)) / 1000) + graceSeconds;
