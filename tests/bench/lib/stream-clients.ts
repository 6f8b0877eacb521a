/**
 * A load process for the idle-stream benchmark: opens COUNT agent streams (each its own
 * connection), says hello on each and waits for the welcome, with at most CONCURRENCY handshakes
 * in flight (grpc-js listens with a fixed backlog of 511; a burst beyond it only measures
 * retransmits). Then it keeps them alive with the protocol's 15 s heartbeat until told to close.
 *
 * Usage (forked with IPC): stream-clients.ts ADDRESS CA_FILE|- TOKEN COUNT ID_PREFIX CONCURRENCY
 * [IDENTITIES_FILE OFFSET]. With an identities file (a JSON array of issued identities), stream
 * i says hello as identity OFFSET + i, as an agent that registered earlier reconnects with its
 * identity.json; without one, each stream registers first, as a new agent does.
 * Reports `{ opened, failed }` as streams come up, and `{ done }` once every stream is settled.
 * Like real agents, each stream is rotated (half-closed, then a new one says hello as the same
 * agent) when the Welcome's `max_stream_age_ms` is reached. Exits by itself after 20 minutes
 * whatever happens.
 */
import { readFileSync } from "node:fs";
import type { TestIdentity } from "../../../functions/testing/agent-identity.ts";
import { connectRawAgent, type RawAgent, readCa } from "./raw-agent.ts";

const [
  address = "",
  caFile = "-",
  token = "",
  countArg = "0",
  prefix = "s",
  concurrencyArg = "64",
  identitiesFile,
  offsetArg = "0",
] = process.argv.slice(2);
const issued: TestIdentity[] | undefined = identitiesFile
  ? JSON.parse(readFileSync(identitiesFile, "utf8"))
  : undefined;
const offset = Number(offsetArg);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const caPem = caFile === "-" ? undefined : readCa(caFile);
const agents: RawAgent[] = [];
let opened = 0;
let failed = 0;
let firstError: string | undefined;

setTimeout(() => process.exit(3), 20 * 60_000).unref();
process.on("disconnect", () => process.exit(0));

let closing = false;
let rotations = 0;

async function openOne(i: number, slot = agents.length) {
  const identity = issued?.[offset + i];
  const agent = connectRawAgent({ address, caPem, token, agentId: `${prefix}-${i}`, identity });
  agents[slot] = agent;
  try {
    const welcome = await agent.hello(120_000);
    opened++;
    const ageMs = Number(welcome.maxStreamAgeMs);
    if (ageMs > 0)
      setTimeout(() => {
        if (closing) return;
        rotations++;
        opened--;
        // As the agent rotates: Goodbye with `reconnecting`, then a half-close.
        agent.send({ $case: "goodbye", value: { reason: "stream rotate", reconnecting: true } });
        agent.close();
        void openOne(i, slot);
      }, ageMs).unref();
  } catch (error) {
    failed++;
    firstError ??= String(error);
  }
}

// Heartbeats every 15 s per stream, spread over the interval (one tick a second); they start
// with the first stream, since opening thousands can take longer than the 35 s dead-after.
let cursor = 0;
const heartbeat = setInterval(() => {
  const share = Math.ceil(agents.length / 15);
  for (let k = 0; k < share && agents.length > 0; k++) {
    const agent = agents[cursor++ % agents.length];
    if (agent && !agent.ended)
      agent.send({ $case: "heartbeat", value: { sentAtMs: Date.now(), running: 0 } });
  }
}, 1_000);

let next = 0;
const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
  while (next < count) {
    const i = next++;
    await openOne(i);
    if ((opened + failed) % 250 === 0) process.send?.({ opened, failed });
  }
});
await Promise.all(lanes);
process.send?.({ done: true, opened, failed, firstError });

process.on("message", (m: { close?: boolean; status?: boolean }) => {
  if (m.status) process.send?.({ alive: agents.filter((a) => !a.ended).length, rotations });
  if (m.close) {
    closing = true;
    clearInterval(heartbeat);
    for (const agent of agents) agent.close();
    setTimeout(() => process.exit(0), 500);
  }
});
