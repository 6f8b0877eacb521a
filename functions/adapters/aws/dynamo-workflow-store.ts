/**
 * WorkflowStore on DynamoDB: `pk=ORG#{org}#ENV#{env}`, `sk=WF#{name}`. Optimistic concurrency
 * is a condition on the stored `version` (or on absence, for expectedVersion 0).
 *
 * The parsed spec is stored as JSON text (`specJson`), not as a DynamoDB map: arbitrary YAML can
 * nest deeper than DynamoDB's 32 levels and carry values (empty keys, huge numbers) that a map
 * would not round-trip exactly.
 */

import { AppError, WorkflowRecord } from "@assay/shared";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { WorkflowStore } from "../../core/ports.ts";
import { deleteItem } from "./dynamo-conditional-writes.ts";
import { getItem, queryPrefix } from "./dynamo-reads.ts";
import {
  type DynamoStoreConfig,
  documentClient,
  isConditionFailed,
  parseItem,
  validateInput,
  versionCondition,
} from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";

/** Which kind of TestWorkflow document a store keeps, and under which sort keys. */
export interface DocumentKind {
  entity: "workflow" | "template";
  key: (org: string, env: string, name: string) => { pk: string; sk: string };
  prefix: string;
}

const WORKFLOWS: DocumentKind = { entity: "workflow", key: keys.workflow, prefix: keys.workflowPrefix };

/** Creates a WorkflowStore over the Assay table. */
export const createDynamoWorkflowStore = (config: DynamoStoreConfig): WorkflowStore =>
  createDynamoDocumentStore(config, WORKFLOWS);

/**
 * A store of stored TestWorkflow documents of one kind (workflows, templates): the same item
 * shape and optimistic concurrency for both, under the kind's own sort keys.
 */
export const createDynamoDocumentStore = (
  { client, tableName }: DynamoStoreConfig,
  kind: DocumentKind,
): WorkflowStore => {
  const doc = documentClient(client);
  const fromItem = (item: Record<string, unknown>): WorkflowRecord => {
    const { specJson, ...rest } = item;
    let spec: unknown;
    try {
      spec = typeof specJson === "string" ? JSON.parse(specJson) : undefined;
    } catch (error) {
      throw new AppError("internal", `stored ${kind.entity} spec is malformed`, { cause: error });
    }
    return parseItem(WorkflowRecord, { ...rest, spec }, kind.entity);
  };

  return {
    async put(workflow, expectedVersion) {
      const { spec, ...record } = validateInput(WorkflowRecord, workflow, kind.entity);
      if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || expectedVersion < 0)) {
        throw new AppError("invalid_argument", "expectedVersion must be a non-negative integer");
      }
      const condition = versionCondition(expectedVersion);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...record,
              specJson: JSON.stringify(spec),
              ...kind.key(record.orgId, record.envId, record.name),
              entity: kind.entity,
            },
            ...condition,
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) {
          throw new AppError(
            "aborted",
            `${kind.entity} ${record.name} was changed concurrently (expected version ${expectedVersion}); retry`,
          );
        }
        // The source limit normally refuses first; a spec far larger than its source still can't be stored.
        if (
          error instanceof Error &&
          error.name === "ValidationException" &&
          /item size/i.test(error.message)
        ) {
          throw new AppError(
            "payload_too_large",
            `${kind.entity} ${record.name} is too large to store (source and parsed spec over 400 KB together)`,
          );
        }
        throw error;
      }
    },

    async get({ orgId, envId }, name) {
      const item = await getItem(doc, tableName, kind.key(orgId, envId, name));
      return item === undefined ? undefined : fromItem(item);
    },

    async list({ orgId, envId }) {
      const items = await queryPrefix(doc, tableName, keys.envPartition(orgId, envId), kind.prefix);
      return items.map(fromItem);
    },

    async delete({ orgId, envId }, name) {
      return deleteItem(doc, tableName, kind.key(orgId, envId, name));
    },
  };
};
