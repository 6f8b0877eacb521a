/**
 * TemplateStore on DynamoDB: `pk=ORG#{org}#ENV#{env}`, `sk=TPL#{name}`, the same item shape
 * as workflows (the parsed document as JSON text, `specJson`; optimistic concurrency on
 * `version`).
 */
import { AppError, WorkflowRecord } from "@assay/shared";
import { DeleteCommand, GetCommand, PutCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import type { TemplateStore } from "../../core/workflow-ports.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  validateInput,
} from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

const fromItem = (item: Record<string, unknown>): WorkflowRecord => {
  const { specJson, ...rest } = item;
  let spec: unknown;
  try {
    spec = typeof specJson === "string" ? JSON.parse(specJson) : undefined;
  } catch (error) {
    throw new AppError("internal", "stored template spec is malformed", { cause: error });
  }
  return parseItem(WorkflowRecord, { ...rest, spec }, "template");
};

/** Creates a TemplateStore over the Assay table. */
export const createDynamoTemplateStore = ({ client, tableName }: DynamoStoreConfig): TemplateStore => {
  const doc = documentClient(client);
  return {
    async put(template, expectedVersion) {
      const { spec, ...record } = validateInput(WorkflowRecord, template, "template");
      const condition =
        expectedVersion === undefined
          ? {}
          : expectedVersion === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": expectedVersion },
              };
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...record,
              specJson: JSON.stringify(spec),
              ...keys.template(record.orgId, record.envId, record.name),
              entity: "template",
            },
            ...condition,
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) {
          throw new AppError("aborted", `template ${record.name} was changed concurrently; retry`);
        }
        throw error;
      }
    },

    async get(orgId, envId, name) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.template(orgId, envId, name),
          ConsistentRead: true,
        }),
      );
      return Item === undefined ? undefined : fromItem(Item);
    },

    async list(orgId, envId) {
      const templates: WorkflowRecord[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: {
            ":pk": keys.envPartition(orgId, envId),
            ":prefix": keys.templatePrefix,
          },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) for (const item of page.Items ?? []) templates.push(fromItem(item));
      return templates;
    },

    async delete(orgId, envId, name) {
      const { Attributes } = await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.template(orgId, envId, name),
          ReturnValues: "ALL_OLD",
        }),
      );
      return Attributes !== undefined;
    },
  };
};
