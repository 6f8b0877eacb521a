/**
 * ExecutionStore on DynamoDB (key design in dynamo-table.ts). Every state change is one
 * conditional UpdateItem: transitions check the current status (and holder), step updates
 * address their own list element and check it still holds that step, log byte counts only ever
 * rise. Nothing is read, modified in memory and written back blindly.
 */

import { AppError, Execution, StepState, TERMINAL_STATUSES } from "@assay/shared";
import { DeleteCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ExecutionRef, ExecutionStore } from "../../core/ports.ts";
import { deleteItem, putIfAbsent, updateIfMatches } from "./dynamo-conditional-writes.ts";
import { decodeCursor, encodeCursor } from "./dynamo-cursor.ts";
import { buildTransitionUpdate, toExecutionItem } from "./dynamo-execution-item.ts";
import { getItem, queryAll } from "./dynamo-reads.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  validateInput,
} from "./dynamo-support.ts";
import { GSI1, GSI2, GSI3, GSI4, keys, LEASE_SHARDS } from "./dynamo-table.ts";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
/** Items examined per round when a status filter may discard most of them. */
const FILTERED_ROUND_SIZE = 200;
/** Rounds before a filtered page returns short (with a cursor) rather than scanning on. */
const MAX_ROUNDS = 10;
/** Retries of a step update that raced with a wholesale replacement of the step list. */
const STEP_UPDATE_ATTEMPTS = 5;

const TERMINAL = [...TERMINAL_STATUSES];

const parseExecution = (item: Record<string, unknown>): Execution => parseItem(Execution, item, "execution");

const idFromSortKey = (sk: unknown): string => {
  if (typeof sk !== "string" || !sk.startsWith(keys.executionPrefix)) {
    throw new AppError("internal", "unexpected key in execution listing");
  }
  return sk.slice(keys.executionPrefix.length);
};

/** Creates an ExecutionStore over the Assay table. */
export const createDynamoExecutionStore = ({ client, tableName }: DynamoStoreConfig): ExecutionStore => {
  const doc = documentClient(client);

  const getExecutionItem = (orgId: string, envId: string, id: string) =>
    getItem(doc, tableName, keys.execution(orgId, envId, id));

  return {
    async create(execution) {
      const parsed = validateInput(Execution, execution, "execution");
      if (!(await putIfAbsent(doc, tableName, toExecutionItem(parsed)))) {
        throw new AppError("already_exists", `execution ${parsed.id} already exists`);
      }
    },

    async get({ orgId, envId, id }) {
      const item = await getExecutionItem(orgId, envId, id);
      return item === undefined ? undefined : parseExecution(item);
    },

    async list({ orgId, envId }, filter, page) {
      const limit = page.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new AppError("invalid_argument", `limit must be an integer from 1 to ${MAX_LIMIT}`);
      }
      const afterId = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      const partition = keys.envPartition(orgId, envId);
      const input: QueryCommandInput =
        filter.workflow === undefined
          ? {
              TableName: tableName,
              KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
              ExpressionAttributeValues: { ":pk": partition, ":prefix": keys.executionPrefix },
              ConsistentRead: true,
            }
          : {
              TableName: tableName,
              IndexName: GSI1,
              KeyConditionExpression: "gsi1pk = :pk",
              ExpressionAttributeValues: { ":pk": keys.executionsByWorkflow(orgId, envId, filter.workflow) },
            };
      input.ScanIndexForward = false;
      const filters: string[] = [];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      if (filter.status !== undefined) {
        filters.push("#status = :status");
        names["#status"] = "status";
        values[":status"] = filter.status;
      }
      Object.entries(filter.tags ?? {}).forEach(([key, value], i) => {
        filters.push(`#tags.#tag${i} = :tag${i}`);
        names["#tags"] = "tags";
        names[`#tag${i}`] = key;
        values[`:tag${i}`] = value;
      });
      const filtered = filters.length > 0;
      if (filtered) {
        input.FilterExpression = filters.join(" AND ");
        input.ExpressionAttributeNames = names;
        input.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ...values };
      }
      // The cursor holds only the id; the rest of the start key comes from this query's own
      // org-scoped partition, so a cursor can never lead into another tenant's data.
      const startKey = (id: string): Record<string, unknown> => ({
        ...keys.execution(orgId, envId, id),
        ...(filter.workflow === undefined
          ? {}
          : {
              gsi1pk: keys.executionsByWorkflow(orgId, envId, filter.workflow),
              gsi1sk: `${keys.executionPrefix}${id}`,
            }),
      });

      const items: Execution[] = [];
      let exclusiveStartKey = afterId === undefined ? undefined : startKey(afterId);
      for (let round = 1; ; round++) {
        // Ask for one more than needed: if it arrives, there is a next page and the cursor is
        // the last returned item (never an empty trailing page).
        const want = limit + 1 - items.length;
        const { Items, LastEvaluatedKey } = await doc.send(
          new QueryCommand({
            ...input,
            Limit: filtered ? Math.max(want, FILTERED_ROUND_SIZE) : want,
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );
        for (const item of Items ?? []) items.push(parseExecution(item));
        if (items.length > limit) {
          const page = items.slice(0, limit);
          return { items: page, nextCursor: encodeCursor(page[page.length - 1]?.id ?? "") };
        }
        if (LastEvaluatedKey === undefined) return { items };
        exclusiveStartKey = LastEvaluatedKey;
        if (round >= MAX_ROUNDS) {
          // A sparse filter: return what we have and let the caller continue from here.
          return { items, nextCursor: encodeCursor(idFromSortKey(LastEvaluatedKey.sk)) };
        }
      }
    },

    async listQueued({ orgId, envId }, limit) {
      if (!Number.isInteger(limit) || limit < 1) return [];
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: GSI2,
          KeyConditionExpression: "gsi2pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.queue(orgId, envId) },
          Limit: Math.min(limit, MAX_LIMIT),
        }),
      );
      // GSIs are eventually consistent in AWS: drop an entry whose claim has not propagated yet.
      return (Items ?? []).map(parseExecution).filter((execution) => execution.status === "queued");
    },

    async listActiveForAgent({ orgId, envId }, agentId) {
      const items = await queryAll(doc, tableName, {
        IndexName: GSI3,
        KeyConditionExpression: "gsi3pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.agent(orgId, envId, agentId) },
      });
      return items
        .map(parseExecution)
        .filter((e) => (e.status === "assigned" || e.status === "running") && e.agentId === agentId);
    },

    async listExpiredLeases(nowMs, limit) {
      const expired: Array<{ sk: string; ref: ExecutionRef }> = [];
      const before = keys.leaseSort(nowMs, "", "", "");
      for (let shard = 0; shard < LEASE_SHARDS; shard++) {
        const { Items } = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: GSI4,
            KeyConditionExpression: "gsi4pk = :pk AND gsi4sk < :before",
            ExpressionAttributeValues: { ":pk": keys.leaseShard(shard), ":before": before },
            Limit: limit,
          }),
        );
        for (const item of Items ?? []) {
          const sk = String(item.gsi4sk ?? "");
          const [, orgId, envId, id] = sk.split("#");
          if (orgId && envId && id) expired.push({ sk, ref: { orgId, envId, id } });
        }
      }
      return expired
        .sort((a, b) => (a.sk < b.sk ? -1 : 1))
        .slice(0, limit)
        .map((e) => e.ref);
    },

    async transition({ orgId, envId, id }, t) {
      const written = await updateIfMatches(doc, {
        TableName: tableName,
        Key: keys.execution(orgId, envId, id),
        ...buildTransitionUpdate(orgId, envId, id, t),
      });
      return written === undefined ? undefined : parseExecution(written);
    },

    async updateStep({ orgId, envId, id }, step) {
      const parsed = validateInput(StepState, step, "step");
      for (let attempt = 0; attempt < STEP_UPDATE_ATTEMPTS; attempt++) {
        const item = await getExecutionItem(orgId, envId, id);
        if (item === undefined) throw new AppError("not_found", `execution ${id} not found`);
        const execution = parseExecution(item);
        if (TERMINAL_STATUSES.has(execution.status)) {
          throw new AppError("failed_precondition", `execution ${id} is already ${execution.status}`);
        }
        const index = execution.steps.findIndex((s) => s.ref === parsed.ref);
        if (index < 0) throw new AppError("not_found", `execution ${id} has no step ${parsed.ref}`);
        const values: Record<string, unknown> = { ":step": parsed, ":ref": parsed.ref };
        TERMINAL.forEach((status, i) => {
          values[`:t${i}`] = status;
        });
        try {
          // Only this list element is written, so concurrent updates of other steps are kept;
          // the condition catches a step list replaced (or an execution finished) meanwhile.
          await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: keys.execution(orgId, envId, id),
              UpdateExpression: `SET #steps[${index}] = :step`,
              ConditionExpression: `#steps[${index}].#ref = :ref AND NOT (#status IN (${TERMINAL.map((_, i) => `:t${i}`).join(", ")}))`,
              ExpressionAttributeNames: { "#steps": "steps", "#ref": "ref", "#status": "status" },
              ExpressionAttributeValues: values,
            }),
          );
          return;
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
        }
      }
      throw new AppError("aborted", `execution ${id} kept changing; step ${parsed.ref} not updated`);
    },

    async recordLogBytes({ orgId, envId, id }, committed) {
      if (!Number.isSafeInteger(committed) || committed < 0) {
        throw new AppError("invalid_argument", "committed log bytes must be a non-negative integer");
      }
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.execution(orgId, envId, id),
            UpdateExpression: "SET #logBytes = :c",
            ConditionExpression:
              "attribute_exists(pk) AND (attribute_not_exists(#logBytes) OR #logBytes < :c)",
            ExpressionAttributeNames: { "#logBytes": "logBytes" },
            ExpressionAttributeValues: { ":c": committed },
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        // Already at or above `committed` is success; a missing execution is not.
        if ((error as { Item?: unknown }).Item === undefined) {
          throw new AppError("not_found", `execution ${id} not found`);
        }
      }
    },

    async delete({ orgId, envId, id }) {
      return deleteItem(doc, tableName, keys.execution(orgId, envId, id));
    },

    async nextRunNumber({ orgId, envId }, workflowName) {
      // ADD on a missing item starts from 0: the first run is 1. One atomic update, no read.
      const { Attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.runNumber(orgId, envId, workflowName),
          UpdateExpression: "ADD #last :one SET entity = :entity",
          ExpressionAttributeNames: { "#last": "lastNumber" },
          ExpressionAttributeValues: { ":one": 1, ":entity": "run-number" },
          ReturnValues: "UPDATED_NEW",
        }),
      );
      const last = Attributes?.lastNumber;
      if (typeof last !== "number" || !Number.isSafeInteger(last) || last < 1) {
        throw new AppError("internal", "unexpected run number counter");
      }
      return last;
    },

    async returnRunNumber({ orgId, envId }, workflowName, number) {
      const Key = keys.runNumber(orgId, envId, workflowName);
      const unchanged = {
        ConditionExpression: "#last = :n",
        ExpressionAttributeNames: { "#last": "lastNumber" },
      };
      if (number > 1) {
        await updateIfMatches(doc, {
          TableName: tableName,
          Key,
          UpdateExpression: "ADD #last :minus",
          ...unchanged,
          ExpressionAttributeValues: { ":n": number, ":minus": -1 },
        });
        return;
      }
      // The first number's counter goes with it: a refused first run (or a run of a workflow
      // that does not exist) leaves nothing behind.
      await doc
        .send(
          new DeleteCommand({
            TableName: tableName,
            Key,
            ...unchanged,
            ExpressionAttributeValues: { ":n": 1 },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailed(error)) throw error;
        });
    },
  };
};
