/**
 * Runs the store contracts against DynamoDB Local: one java process for the file, a fresh table
 * per store.
 */
import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { runExecutionLifecycleContract } from "../../core/contracts/execution-lifecycle.contract.ts";
import { runExecutionStoreContract } from "../../core/contracts/execution-store.contract.ts";
import { runOrgStoreContract } from "../../core/contracts/org-store.contract.ts";
import { runSsoStoreContract } from "../../core/contracts/sso-store.contract.ts";
import { runTokenStoreContract } from "../../core/contracts/token-store.contract.ts";
import { runWorkflowStoreContract } from "../../core/contracts/workflow-store.contract.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "../local/dynamodb-local.ts";
import { createDynamoExecutionStore } from "./dynamo-execution-store.ts";
import { createDynamoOrgStore } from "./dynamo-org-store.ts";
import { createDynamoSsoStore } from "./dynamo-sso-store.ts";
import { createTableIfMissing } from "./dynamo-table-setup.ts";
import { createDynamoTokenStore } from "./dynamo-token-store.ts";
import { createDynamoWorkflowStore } from "./dynamo-workflow-store.ts";

let server: DynamoDbLocal;
let client: DynamoDBClient;

before(async () => {
  server = await startDynamoDbLocal({ inMemory: true });
  client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
});

after(async () => {
  client?.destroy();
  await server?.stop();
});

const freshTable = async (): Promise<{ client: DynamoDBClient; tableName: string }> => {
  const tableName = `assay-${randomBytes(4).toString("hex")}`;
  await createTableIfMissing(client, tableName);
  return { client, tableName };
};

runOrgStoreContract("dynamodb", async () => createDynamoOrgStore(await freshTable()));
runTokenStoreContract("dynamodb", async () => createDynamoTokenStore(await freshTable()));
runWorkflowStoreContract("dynamodb", async () => createDynamoWorkflowStore(await freshTable()));
runExecutionStoreContract("dynamodb", async () => createDynamoExecutionStore(await freshTable()));
runExecutionLifecycleContract("dynamodb", async () => createDynamoExecutionStore(await freshTable()));
runSsoStoreContract("dynamodb", async () => createDynamoSsoStore(await freshTable()));
