import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { isAlive } from "./child-process.ts";
import { PID_FILE_NAME, startDynamoDbLocal } from "./dynamodb-local.ts";

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });

const dataDir = mkdtempSync(join(tmpdir(), "assay-ddb-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test("persistent mode: pid file, stale java killed on restart, data kept, unrelated pids spared", async () => {
  // A pid file naming an unrelated process must never get that process killed.
  const bystander = spawn("sleep", ["30"], { stdio: "ignore" });
  writeFileSync(join(dataDir, PID_FILE_NAME), String(bystander.pid));

  const first = await startDynamoDbLocal({ dataDir });
  const firstClient = clientFor(first.endpoint);
  try {
    assert.equal(isAlive(bystander.pid ?? 0), true);
    assert.equal(readFileSync(join(dataDir, PID_FILE_NAME), "utf8"), String(first.pid));
    await firstClient.send(
      new CreateTableCommand({
        TableName: "kept",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } finally {
    firstClient.destroy();
    bystander.kill();
  }

  // Simulate a crashed parent: start again without stopping the first java.
  const second = await startDynamoDbLocal({ dataDir });
  const secondClient = clientFor(second.endpoint);
  try {
    assert.equal(isAlive(first.pid), false, "the stale java was killed");
    const tables = await secondClient.send(new ListTablesCommand({}));
    assert.deepEqual(tables.TableNames, ["kept"]);
  } finally {
    secondClient.destroy();
    await first.stop(); // must not remove the second server's pid file
    assert.equal(readFileSync(join(dataDir, PID_FILE_NAME), "utf8"), String(second.pid));
    await second.stop();
  }
  assert.equal(isAlive(second.pid), false);
  assert.throws(() => readFileSync(join(dataDir, PID_FILE_NAME)));
  await second.stop(); // idempotent
});

test("a missing java fails the start with the spawn error", async () => {
  await assert.rejects(startDynamoDbLocal({ javaCommand: "/nonexistent/java" }), /ENOENT/);
});
