/**
 * Listing: `GET .../executions?limit=50` through the HTTP API (bearer token, org and
 * environment checks, the store's query, zod parsing, JSON) on an environment holding
 * 1,000,000 finished executions (100,000 with --quick), against a raw DynamoDB Local query of
 * the same page in the same run. Flatness: the same figure measured at 1,000 executions first.
 *
 * The executions are bulk-loaded with BatchWriteItem (25 per call, 8 calls in flight), as items
 * the store itself would write (toExecutionItem of a real execution, new time-ordered ids).
 */
import { performance } from "node:perf_hooks";
import type { Execution } from "@assay/shared";
import { BatchWriteCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { monotonicFactory } from "ulid";
import { toExecutionItem } from "../../../functions/adapters/aws/dynamo-execution-item.ts";
import { documentClient } from "../../../functions/adapters/aws/dynamo-support.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { startBenchPlane, workflowYaml } from "../lib/plane.ts";
import { latency } from "../lib/stats.ts";

const TOTAL = quick ? 100_000 : 1_000_000;
const SMALL = 1_000;
const REQUESTS = quick ? 100 : 400;
const RUNS = runCount(5, 2);
/** BatchWriteItem calls in flight while loading (16 was no faster: DynamoDB Local is the limit). */
const LANES = 8;

const plane = await startBenchPlane();
try {
  const { client, tableName } = plane.dynamo();
  const doc = documentClient(client);
  await plane.applyWorkflow("list", workflowYaml("list"));
  const seedId = await plane.run("list");
  const seed = await plane.core.ports.executions.get({ orgId: plane.orgId, envId: plane.envId, id: seedId });
  if (!seed) throw new Error("seed execution missing");
  const template: Execution = seed;
  await plane.core.ports.executions.delete({ orgId: plane.orgId, envId: plane.envId, id: seedId });

  // Finished runs spread over the past year, oldest first, so ids sort like real history.
  // Synthetic history: a cheap PRNG for the ids' random part (the default draws from the OS per character).
  const nextId = monotonicFactory(() => Math.random());
  const yearMs = 365 * 86_400_000;
  const startMs = Date.now() - yearMs;
  let loaded = 0;
  function itemAt(i: number, total: number) {
    const at = startMs + Math.floor((i / total) * yearMs);
    const execution: Execution = {
      ...template,
      id: nextId(at),
      status: i % 10 === 0 ? "failed" : "passed",
      createdAt: new Date(at).toISOString(),
      assignedAt: new Date(at + 50).toISOString(),
      startedAt: new Date(at + 80).toISOString(),
      finishedAt: new Date(at + 4_000).toISOString(),
      agentId: "bench-agent",
      logBytes: 1_234,
      steps: template.steps.map((s) => ({ ...s, status: "passed" })),
    };
    return toExecutionItem(execution);
  }

  async function load(count: number, total: number) {
    const t0 = performance.now();
    let next = 0;
    const lanes = Array.from({ length: LANES }, async () => {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + 25);
        let requests = Array.from({ length: next - from }, (_, k) => ({
          PutRequest: { Item: itemAt(loaded + from + k, total) },
        }));
        for (let attempt = 0; requests.length > 0 && attempt < 20; attempt++) {
          const { UnprocessedItems } = await doc.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }
    });
    await Promise.all(lanes);
    loaded += count;
    const seconds = (performance.now() - t0) / 1_000;
    progress(
      `loaded ${count} executions in ${seconds.toFixed(1)} s (${Math.round(count / seconds)} items/s); ${loaded} in the environment`,
    );
  }

  const path = `${plane.envPath}/executions?limit=50`;
  async function apiOnce(): Promise<number> {
    const t0 = performance.now();
    const res = await plane.api(path);
    const body = (await res.json()) as { items: unknown[] };
    if (res.status !== 200 || body.items.length !== 50) throw new Error(`list: ${res.status}`);
    return performance.now() - t0;
  }
  async function rawOnce(): Promise<number> {
    const t0 = performance.now();
    const { Items } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": `ORG#${plane.orgId}#ENV#${plane.envId}`, ":p": "EX#" },
        ScanIndexForward: false,
        Limit: 50,
        ConsistentRead: true,
      }),
    );
    if (Items?.length !== 50) throw new Error("raw query came back short");
    return performance.now() - t0;
  }
  const sample = async (fn: () => Promise<number>) => {
    const out: number[] = [];
    for (let i = 0; i < REQUESTS; i++) out.push(await fn());
    return out;
  };

  async function measure(label: string) {
    await sample(apiOnce);
    await sample(rawOnce);
    const api = { p50: [] as number[], p99: [] as number[] };
    const raw = { p50: [] as number[], p99: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      const a = latency(await sample(apiOnce));
      const q = latency(await sample(rawOnce));
      api.p50.push(a.p50);
      api.p99.push(a.p99);
      raw.p50.push(q.p50);
      raw.p99.push(q.p99);
      progress(
        `${label} run ${r + 1}/${RUNS}: API p50 ${a.p50.toFixed(2)} p99 ${a.p99.toFixed(2)} ms; raw p50 ${q.p50.toFixed(2)} p99 ${q.p99.toFixed(2)} ms`,
      );
    }
    return { api, raw };
  }

  await load(SMALL, TOTAL);
  const small = await measure(`${SMALL} executions`);
  await load(TOTAL - SMALL, TOTAL);
  const large = await measure(`${TOTAL} executions`);
  const size = TOTAL.toLocaleString("en-US");
  report([
    figure({
      id: "list.p99",
      name: `list 50 executions of an environment holding ${size} (API) p99`,
      unit: "ms",
      runs: large.api.p99,
      baseline: { name: "raw DynamoDB Local query of the same page, p99", runs: large.raw.p99 },
      target: "<= 1.5x raw",
      meets: (_v, ratio) => (ratio ?? Number.POSITIVE_INFINITY) <= 1.5,
      notes: [`${REQUESTS} sequential requests per run`],
    }),
    figure({
      id: "list.p50",
      name: `list 50 executions (${size}) p50`,
      unit: "ms",
      runs: large.api.p50,
      baseline: { name: "raw query p50", runs: large.raw.p50 },
      target: "(informational)",
    }),
    figure({
      id: "list.flat",
      name: `list p99 at ${size} vs at ${SMALL.toLocaleString("en-US")} executions`,
      unit: "ms",
      runs: large.api.p99,
      baseline: { name: `API p99 at ${SMALL.toLocaleString("en-US")}`, runs: small.api.p99 },
      target: "flat in the total (ratio ~1)",
      meets: (_v, ratio) => (ratio ?? Number.POSITIVE_INFINITY) <= 1.5,
    }),
  ]);
} finally {
  await plane.stop();
}
