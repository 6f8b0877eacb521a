import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { createTestClock } from "../test-clock.ts";
import { createApiClient } from "./api-client.ts";
import { testTotals } from "./run-summary.ts";

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

const counts = { tests: 3, passed: 2, failed: 1, errors: 0, skipped: 0 };

/** A control plane whose artifacts stay pending for the first `pendingListings` listings. */
const plane = async (pendingListings: number) => {
  const calls = { listings: 0, reports: 0 };
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    if (req.url?.endsWith("/artifacts")) {
      calls.listings++;
      const pending = calls.listings <= pendingListings ? [{ bundleId: "r1" }] : [];
      return res.end(JSON.stringify({ artifacts: [], pending }));
    }
    calls.reports++;
    res.end(JSON.stringify({ counts, suites: [] }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { calls, client: createApiClient({ apiUrl, token: "asy_api_t", org: "acme", env: "staging" }) };
};

describe("the JUnit totals after a run (report wait)", () => {
  it("polls every 250 ms while artifacts are being unpacked, then reads the report", async () => {
    const clock = createTestClock();
    const { calls, client } = await plane(2);
    const totals = testTotals(client, "e1", { clock });
    for (let i = 0; i < 2; i++) {
      await clock.waiting();
      clock.advance(249);
      assert.equal(calls.listings, i + 1, "listed again before the poll period");
      clock.advance(1);
    }
    assert.deepEqual(await totals, counts);
    assert.deepEqual(calls, { listings: 3, reports: 1 });
  });

  it("reads the report anyway after 15 s of pending artifacts", async () => {
    const clock = createTestClock();
    const { calls, client } = await plane(Number.POSITIVE_INFINITY);
    const totals = testTotals(client, "e1", { clock });
    for (let waited = 0; waited < 15_000; waited += 250) {
      await clock.waiting();
      clock.advance(250);
    }
    assert.deepEqual(await totals, counts);
    assert.deepEqual(calls, { listings: 61, reports: 1 }, "one listing at 0 ms and every 250 ms to 15 s");
    assert.equal(clock.armed(), 0);
  });
});
