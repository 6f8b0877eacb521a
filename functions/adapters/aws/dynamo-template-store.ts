/**
 * TemplateStore on DynamoDB: `pk=ORG#{org}#ENV#{env}`, `sk=TPL#{name}`, the same item shape and
 * optimistic concurrency as workflows (dynamo-workflow-store.ts).
 */
import type { TemplateStore } from "../../core/ports/template-store.ts";
import type { DynamoStoreConfig } from "./dynamo-support.ts";
import { keys } from "./dynamo-table.ts";
import { createDynamoDocumentStore } from "./dynamo-workflow-store.ts";

/** Creates a TemplateStore over the Assay table. */
export const createDynamoTemplateStore = (config: DynamoStoreConfig): TemplateStore =>
  createDynamoDocumentStore(config, { entity: "template", key: keys.template, prefix: keys.templatePrefix });
