/**
 * InsightStore on DynamoDB, in one partition per environment (`ORG#{org}#ENV#{env}#INSIGHTS`):
 *
 * | item              | sk                              | attributes                                  |
 * |-------------------|---------------------------------|---------------------------------------------|
 * | recorded run      | RUN#{execution}                 | marker that makes addRun happen once        |
 * | workflow day      | WF#{workflow}#D#{day}           | `s:{status}`, `d:`/`q:`/`c:`/`m:{bucket}`, `r:{reason}` counters |
 * | environment day   | ENV#D#{day}                     | the same plus `w:{workflow}:{status}`       |
 * | test day          | WF#{workflow}#T#{day}#{hash}    | suite, name, `o:{execution}` = `P:ms`/`F:ms`/`S:ms` |
 *
 * A run is added in one transaction with its marker (conditional put), so an SQS redelivery adds
 * nothing twice. Counters are top-level attributes so `ADD` can create them: DynamoDB cannot add
 * into a map that does not exist yet. Test outcomes are keyed by execution, so writing them again
 * is harmless. Every item expires (TTL) 400 days after its day.
 */
import { createHash } from "node:crypto";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Histogram } from "../../core/insights/histogram.ts";
import { bucketOf } from "../../core/insights/histogram.ts";
import type { InsightStore } from "../../core/insights/ports.ts";
import {
  type DayAggregate,
  FINAL_STATUSES,
  type FinalStatus,
  type InsightScope,
  type TestDay,
  type TestOutcome,
} from "../../core/insights/records.ts";
import { queryAll } from "./dynamo-reads.ts";
import { type DynamoStoreConfig, documentClient } from "./dynamo-support.ts";
import { TTL_ATTRIBUTE, ttlOf } from "./dynamo-ttl.ts";

const KEEP_SECONDS = 400 * 86_400;
const TEST_WRITES_IN_FLIGHT = 8;
const partition = (s: InsightScope) => `ORG#${s.orgId}#ENV#${s.envId}#INSIGHTS`;
const STATUS_CODE: Record<TestOutcome["status"], string> = { passed: "P", failed: "F", skipped: "S" };
const STATUS_OF: Record<string, TestOutcome["status"]> = { P: "passed", F: "failed", S: "skipped" };

/** An update of a day item that ADDs 1 to each named counter (and sets its day and TTL). */
function counterUpdate(counters: string[], day: string, ttl: number) {
  const names: Record<string, string> = { "#ttl": TTL_ATTRIBUTE, "#day": "day" };
  const adds = counters.map((counter, i) => {
    names[`#c${i}`] = counter;
    return `#c${i} :one`;
  });
  return {
    UpdateExpression: `SET #day = :day, #ttl = :ttl ADD ${adds.join(", ")}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ":one": 1, ":ttl": ttl, ":day": day },
  };
}

function dayFromItem(item: Record<string, unknown>): DayAggregate {
  const day: DayAggregate = {
    day: String(item.day ?? ""),
    counts: {},
    duration: {},
    queue: {},
    cpu: {},
    memory: {},
    reasons: {},
    workflows: {},
  };
  const histograms: Record<string, Histogram> = { d: day.duration, q: day.queue, c: day.cpu, m: day.memory };
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== "number") continue;
    const colon = name.indexOf(":");
    if (colon < 0) continue;
    const [kind, rest] = [name.slice(0, colon), name.slice(colon + 1)];
    if (kind === "s" && (FINAL_STATUSES as readonly string[]).includes(rest))
      day.counts[rest as FinalStatus] = value;
    else if (histograms[kind]) histograms[kind][rest] = value;
    else if (kind === "r") day.reasons[rest] = value;
    else if (kind === "w") {
      const split = rest.lastIndexOf(":");
      const [workflow, status] = [rest.slice(0, split), rest.slice(split + 1) as FinalStatus];
      day.workflows[workflow] = { ...day.workflows[workflow], [status]: value };
    }
  }
  return day;
}

function testDayFromItem(item: Record<string, unknown>): TestDay {
  const outcomes: TestDay["outcomes"] = {};
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith("o:") || typeof value !== "string") continue;
    const status = STATUS_OF[value.slice(0, 1)];
    if (status) outcomes[name.slice(2)] = { status, durationMs: Number(value.slice(2)) || 0 };
  }
  return {
    workflow: String(item.workflow ?? ""),
    suite: String(item.suite ?? ""),
    name: String(item.name ?? ""),
    day: String(item.day ?? ""),
    outcomes,
  };
}

export const createDynamoInsightStore = ({ client, tableName }: DynamoStoreConfig): InsightStore => {
  const doc = documentClient(client);

  const queryRange = (scope: InsightScope, from: string, to: string) =>
    queryAll(doc, tableName, {
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": partition(scope), ":from": from, ":to": to },
    });

  return {
    async addRun(scope, sample) {
      const pk = partition(scope);
      const ttl = ttlOf(`${sample.day}T00:00:00Z`, KEEP_SECONDS);
      const counters = [`s:${sample.status}`];
      const histogram = (kind: string, value: number | undefined) => {
        const bucket = value === undefined ? undefined : bucketOf(value);
        if (bucket !== undefined) counters.push(`${kind}:${bucket}`);
      };
      histogram("d", sample.durationMs);
      histogram("q", sample.queueMs);
      histogram("c", sample.cpuPeakPercent);
      histogram("m", sample.memoryPeakBytes);
      if (sample.failureReason) counters.push(`r:${sample.failureReason}`);
      const dayUpdate = (sk: string, extra: string[]) => ({
        Update: {
          TableName: tableName,
          Key: { pk, sk },
          ...counterUpdate([...counters, ...extra], sample.day, ttl),
        },
      });
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk, sk: `RUN#${sample.executionId}`, entity: "insight-run", [TTL_ATTRIBUTE]: ttl },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
              dayUpdate(`WF#${sample.workflow}#D#${sample.day}`, []),
              dayUpdate(`ENV#D#${sample.day}`, [`w:${sample.workflow}:${sample.status}`]),
            ],
          }),
        );
      } catch (error) {
        const first =
          error instanceof TransactionCanceledException ? error.CancellationReasons?.[0]?.Code : undefined;
        if (first === "ConditionalCheckFailed") return; // already recorded
        throw error;
      }
    },

    async putTestOutcomes(scope, run, outcomes) {
      const pk = partition(scope);
      const ttl = ttlOf(`${run.day}T00:00:00Z`, KEEP_SECONDS);
      const queue = [...outcomes];
      const worker = async () => {
        for (let o = queue.shift(); o; o = queue.shift()) {
          const hash = createHash("sha256").update(`${o.suite}\u0000${o.name}`).digest("hex").slice(0, 24);
          await doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk, sk: `WF#${run.workflow}#T#${run.day}#${hash}` },
              UpdateExpression:
                "SET #suite = :suite, #name = :name, #workflow = :workflow, #day = :day, #ttl = :ttl, #o = :o",
              ExpressionAttributeNames: {
                "#suite": "suite",
                "#name": "name",
                "#workflow": "workflow",
                "#day": "day",
                "#ttl": TTL_ATTRIBUTE,
                "#o": `o:${run.executionId}`,
              },
              ExpressionAttributeValues: {
                ":suite": o.suite,
                ":name": o.name,
                ":workflow": run.workflow,
                ":day": run.day,
                ":ttl": ttl,
                ":o": `${STATUS_CODE[o.status]}:${o.durationMs}`,
              },
            }),
          );
        }
      };
      await Promise.all(Array.from({ length: Math.min(TEST_WRITES_IN_FLIGHT, queue.length) }, worker));
    },

    async workflowDays(scope, workflow, fromDay, toDay) {
      const items = await queryRange(scope, `WF#${workflow}#D#${fromDay}`, `WF#${workflow}#D#${toDay}`);
      return items.map(dayFromItem);
    },

    async environmentDays(scope, fromDay, toDay) {
      return (await queryRange(scope, `ENV#D#${fromDay}`, `ENV#D#${toDay}`)).map(dayFromItem);
    },

    async testDays(scope, workflow, fromDay, toDay) {
      const items = await queryRange(scope, `WF#${workflow}#T#${fromDay}#`, `WF#${workflow}#T#${toDay}#~`);
      return items.map(testDayFromItem);
    },
  };
};
