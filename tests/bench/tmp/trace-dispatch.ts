import { performance } from "node:perf_hooks";
import { ExecutionStatus } from "@assay/shared/proto";
import { startBenchPlane, workflowYaml } from "../lib/plane.ts";
import { connectRawAgent, readCa } from "../lib/raw-agent.ts";

const plane = await startBenchPlane();
await plane.applyWorkflow("dispatch", workflowYaml("dispatch"));
const address = plane.ingressUrl.replace("https://", "");
let arrivedAt = 0;
const agent = connectRawAgent({
  address, caPem: readCa(plane.caFile), token: plane.agentToken, agentId: "bench-dispatch",
  onMessage: (m, at) => { if (m.kind?.$case === "run") arrivedAt = at; },
});
await agent.hello();
let trace: string[] | undefined;
let t0 = 0;
(globalThis as { __mark?: (s: string) => void }).__mark = (s) => trace?.push(`${(performance.now() - t0).toFixed(1).padStart(6)} mark ${s}`);
plane.dynamo().client.middlewareStack.add(
  (next, context) => async (args) => {
    const s = performance.now();
    const input = (args as { input: Record<string, unknown> }).input;
    const key = JSON.stringify(input.Key ?? input.Item ?? input.ExpressionAttributeValues ?? input.TransactItems ?? "").slice(0, 80);
    try { return await next(args); } finally {
      trace?.push(`${(s - t0).toFixed(1).padStart(6)} -> ${(performance.now() - t0).toFixed(1).padStart(6)} ${context.commandName} ${key}`);
    }
  },
  { step: "initialize", name: "trace" },
);
async function once(log: boolean) {
  const command = agent.next("run", 10_000);
  trace = log ? [] : undefined;
  t0 = performance.now();
  const [run] = await Promise.all([command, plane.run("dispatch")]);
  const ms = arrivedAt - t0;
  const ack = agent.next("resultAck");
  agent.send({ $case: "result", value: { executionId: (run as { executionId: string }).executionId, status: ExecutionStatus.EXECUTION_STATUS_PASSED, finishedAtMs: Date.now(), logBytes: 0, message: "", steps: [], logTruncated: false } });
  await ack;
  if (log) { console.log(`--- dispatch ${ms.toFixed(1)} ms`); for (const l of (trace ?? []).sort((a, b) => parseFloat(a) - parseFloat(b))) console.log(l); }
  trace = undefined;
  return ms;
}
for (let i = 0; i < 150; i++) await once(false);
const N = Number(process.env.N ?? 100);
for (let round = 0; round < 3; round++) {
  const all: number[] = [];
  for (let i = 0; i < N; i++) all.push(await once(false));
  all.sort((a, b) => a - b);
  console.log("p50", all[Math.floor(N / 2)].toFixed(1), "p90", all[Math.floor(N * 0.9)].toFixed(1), "load", (await import("node:os")).loadavg()[0].toFixed(1));
}
if (process.env.TRACE) { await once(true); await once(true); }
agent.close();
await plane.stop();
process.exit(0);
