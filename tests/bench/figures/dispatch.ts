/**
 * Dispatch latency: from the moment the API is asked to run a workflow to the moment an agent
 * holds the RunCommand. The "agent" is a raw grpc-js client over TLS in this process, so the
 * arrival is timestamped in the data callback with the same monotonic clock that timed the
 * request. Each command is answered with a result at once, so every run starts from an idle
 * agent (capacity 1) and an empty queue.
 *
 * Baselines in the same run: a round trip on an open stream to a bare grpc-js server, a NATS
 * request/reply through a real nats-server, and a DynamoDB Local query of the newest 50
 * executions (the primitives the path is made of).
 */
import { performance } from "node:perf_hooks";
import { ExecutionStatus } from "@assay/shared/proto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { connect } from "@nats-io/transport-node";
import { documentClient } from "../../../functions/adapters/aws/dynamo-support.ts";
import { startNatsServer } from "../../../functions/adapters/nats/nats-server.ts";
import { ensureSelfSignedCertificate } from "../../../functions/ingress/tls.ts";
import { startEchoServer } from "../lib/echo-server.ts";
import { figure, progress, quick, report, runCount } from "../lib/figure.ts";
import { startBenchPlane, workflowYaml } from "../lib/plane.ts";
import { connectRawAgent, readCa } from "../lib/raw-agent.ts";
import { latency } from "../lib/stats.ts";

const PER_RUN = quick ? 40 : 200;
const RUNS = runCount(5);

const plane = await startBenchPlane();
const nats = await startNatsServer();
const tls = await ensureSelfSignedCertificate(`${plane.dataDir}/echo-tls`);
const echo = await startEchoServer({ tls });
try {
  await plane.applyWorkflow("dispatch", workflowYaml("dispatch"));
  const address = plane.ingressUrl.replace("https://", "");
  let arrivedAt = 0;
  const agent = connectRawAgent({
    address,
    caPem: readCa(plane.caFile),
    token: plane.agentToken,
    agentId: "bench-dispatch",
    onMessage: (m, at) => {
      if (m.kind?.$case === "run") arrivedAt = at;
    },
  });
  await agent.hello();

  /** One request -> RunCommand latency, then the execution is finished so the next starts clean. */
  async function dispatchOnce(): Promise<number> {
    const command = agent.next("run", 10_000);
    const sentAt = performance.now();
    const [run] = await Promise.all([command, plane.run("dispatch")]);
    const ms = arrivedAt - sentAt;
    const ack = agent.next("resultAck");
    agent.send({
      $case: "result",
      value: {
        executionId: run.executionId,
        status: ExecutionStatus.EXECUTION_STATUS_PASSED,
        finishedAtMs: Date.now(),
        logBytes: 0,
        message: "",
        steps: [],
        logTruncated: false,
      },
    });
    await ack;
    return ms;
  }

  const grpcEcho = connectRawAgent({
    address: `127.0.0.1:${echo.port}`,
    caPem: tls.cert,
    token: "x",
    agentId: "echo",
  });
  await grpcEcho.hello();
  async function grpcRoundTrip(): Promise<number> {
    const back = grpcEcho.next("heartbeat");
    const t0 = performance.now();
    grpcEcho.send({ $case: "heartbeat", value: { sentAtMs: Date.now(), running: 0 } });
    await back;
    return performance.now() - t0;
  }

  const nc = await connect({ servers: nats.url });
  const responder = nc.subscribe("bench.echo");
  void (async () => {
    for await (const m of responder) m.respond(m.data);
  })();
  const payload = new Uint8Array(128);
  async function natsRequest(): Promise<number> {
    const t0 = performance.now();
    await nc.request("bench.echo", payload, { timeout: 5_000 });
    return performance.now() - t0;
  }

  const doc = documentClient(plane.dynamo().client);
  const table = plane.dynamo().tableName;
  async function dynamoQuery(): Promise<number> {
    const t0 = performance.now();
    await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": `ORG#${plane.orgId}#ENV#${plane.envId}`, ":p": "EX#" },
        ScanIndexForward: false,
        Limit: 50,
        ConsistentRead: true,
      }),
    );
    return performance.now() - t0;
  }

  const sample = async (fn: () => Promise<number>, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(await fn());
    return out;
  };
  // Warm every path (JIT, connections, DynamoDB Local's first queries; its JVM keeps speeding up
  // over the first hundred or so runs).
  await sample(dispatchOnce, quick ? 10 : 100);
  await sample(grpcRoundTrip, 200);
  await sample(natsRequest, 200);
  await sample(dynamoQuery, 50);

  const runs = { p50: [] as number[], p99: [] as number[] };
  const base = { grpc: [] as number[][], nats: [] as number[][], dynamo: [] as number[][] };
  for (let r = 0; r < RUNS; r++) {
    const d = latency(await sample(dispatchOnce, PER_RUN));
    runs.p50.push(d.p50);
    runs.p99.push(d.p99);
    base.grpc.push(await sample(grpcRoundTrip, quick ? 300 : 1_000));
    base.nats.push(await sample(natsRequest, quick ? 300 : 1_000));
    base.dynamo.push(await sample(dynamoQuery, PER_RUN));
    progress(`dispatch run ${r + 1}/${RUNS}: p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms`);
  }
  const p = (samples: number[][], q: "p50" | "p99") => samples.map((s) => latency(s)[q]);
  report([
    figure({
      id: "dispatch.p50",
      name: "dispatch latency p50 (API run -> RunCommand at agent)",
      unit: "ms",
      runs: runs.p50,
      baseline: { name: "DynamoDB Local newest-50 query p50", runs: p(base.dynamo, "p50") },
      target: "<= 5 ms",
      meets: (v) => v <= 5,
      notes: [`${PER_RUN} dispatches per run, TLS stream, in-process bus (local mode)`],
    }),
    figure({
      id: "dispatch.p99",
      name: "dispatch latency p99",
      unit: "ms",
      runs: runs.p99,
      baseline: { name: "DynamoDB Local newest-50 query p99", runs: p(base.dynamo, "p99") },
      target: "<= 25 ms",
      meets: (v) => v <= 25,
    }),
    figure({
      id: "baseline.grpc-rtt",
      name: "baseline: grpc-js round trip on an open TLS stream",
      unit: "ms p50",
      runs: p(base.grpc, "p50"),
      target: "(baseline; p99 in notes)",
      notes: [
        `p99 per run: ${p(base.grpc, "p99")
          .map((v) => v.toFixed(3))
          .join(", ")} ms`,
      ],
    }),
    figure({
      id: "baseline.nats-request",
      name: "baseline: NATS request/reply",
      unit: "ms p50",
      runs: p(base.nats, "p50"),
      target: "(baseline; p99 in notes)",
      notes: [
        `p99 per run: ${p(base.nats, "p99")
          .map((v) => v.toFixed(3))
          .join(", ")} ms`,
      ],
    }),
  ]);
  agent.close();
  grpcEcho.close();
  responder.unsubscribe();
  await nc.close();
} finally {
  echo.forceStop();
  await nats.stop();
  await plane.stop();
}
