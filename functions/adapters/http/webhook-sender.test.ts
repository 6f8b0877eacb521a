/** The webhook sender against real servers on loopback: address rules, redirects, bounds. */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createManualClock } from "@assay/shared";
import { systemClock } from "../../core/ports.ts";
import { addressAllowed, createWebhookSender } from "./webhook-sender.ts";

describe("webhook sender", () => {
  let server: Server;
  let base: string;
  /** Resolved when a request to /hang has arrived (the server never answers it). */
  let hangArrived = () => {};
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/redirect")
        return void res.writeHead(302, { location: "http://169.254.169.254/" }).end();
      if (req.url === "/big") return void res.writeHead(200).end("x".repeat(2 * 1024 * 1024));
      if (req.url === "/hang") return hangArrived(); // never answers
      req.resume();
      req.on("end", () => res.writeHead(201).end("ok"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test("address classes", () => {
    const hosted = { allowLoopback: false };
    for (const ip of [
      "127.0.0.1",
      "::1",
      "10.0.0.1",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "fe80::1",
      "fc00::1",
      "100.64.0.1",
      "0.0.0.0",
      "::ffff:127.0.0.1",
      "224.0.0.1",
    ]) {
      assert.equal(addressAllowed(ip, hosted), false, ip);
    }
    assert.equal(addressAllowed("93.184.216.34", hosted), true);
    assert.equal(addressAllowed("2606:4700::1111", hosted), true);
    assert.equal(addressAllowed("127.0.0.1", { allowLoopback: true }), true);
    assert.equal(addressAllowed("10.0.0.1", { allowLoopback: true }), false);
  });

  test("the hosted rules refuse loopback by literal address and by name", async () => {
    const hosted = createWebhookSender({ allowLoopback: false, clock: systemClock });
    await assert.rejects(hosted.checkUrl(`${base}/x`), /may not reach/);
    const literal = await hosted.send({ url: `${base}/x`, headers: {}, body: "{}" });
    assert.equal(literal.ok, false);
    assert.equal(!literal.ok && literal.refused, true);
    const port = new URL(base).port;
    const byName = await hosted.send({ url: `http://localhost:${port}/x`, headers: {}, body: "{}" });
    assert.equal(byName.ok, false);
    assert.equal(!byName.ok && byName.refused, true, JSON.stringify(byName));
  });

  test("local mode reaches loopback; redirects are not followed; answers and time are bounded", async () => {
    const clock = createManualClock();
    // An hour: only the clock moving ends the wait for /hang, so a real timer would time the test out.
    const timeoutMs = 3_600_000;
    const local = createWebhookSender({ allowLoopback: true, clock, timeoutMs, maxResponseBytes: 4096 });
    const ok = await local.send({
      url: `${base}/x`,
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.deepEqual(ok.ok && [ok.statusCode, ok.excerpt], [201, "ok"]);
    const redirect = await local.send({ url: `${base}/redirect`, headers: {}, body: "" });
    assert.ok(redirect.ok && redirect.statusCode === 302 && /not followed/.test(redirect.excerpt));
    const big = await local.send({ url: `${base}/big`, headers: {}, body: "" });
    assert.ok(big.ok && big.excerpt.length === 1024);
    const arrived = new Promise<void>((resolve) => {
      hangArrived = resolve;
    });
    const hanging = local.send({ url: `${base}/hang`, headers: {}, body: "" });
    await arrived;
    clock.advance(timeoutMs);
    const hang = await hanging;
    assert.ok(
      !hang.ok && !hang.refused && /no answer within 3600000 ms/.test(hang.error),
      JSON.stringify(hang),
    );
    assert.equal(hang.latencyMs, timeoutMs);
    await assert.rejects(local.checkUrl("http://user:pw@example.com/"), /credentials/);
    await assert.rejects(local.checkUrl("file:///etc/passwd"), /http or https/);
  });
});
