import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock } from "@assay/shared";
import { runBusContract } from "../../core/contracts/bus.contract.ts";
import { type BusMessage, systemClock } from "../../core/ports.ts";
import { findFreePort } from "../local/child-process.ts";
import { createBackgroundNatsBus, createNatsBus } from "./nats-bus.ts";
import { type NatsServer, startNatsServer } from "./nats-server.ts";

let server: NatsServer;
before(async () => {
  server = await startNatsServer();
});
after(() => server?.stop());

runBusContract("nats", () => createNatsBus({ servers: server.url, clock: systemClock }));

test("messages cross connections: a subscriber on one bus hears a publisher on another", async () => {
  const publisher = await createNatsBus({ servers: server.url, name: "publisher", clock: systemClock });
  const subscriber = await createNatsBus({ servers: server.url, name: "subscriber", clock: systemClock });
  try {
    let deliver: (message: BusMessage) => void = () => {};
    const got = new Promise<BusMessage>((resolve) => {
      deliver = resolve;
    });
    // subscribe() resolves once the server has registered the interest, so this publish counts.
    await subscriber.subscribe("env.acme.staging.work", (message) => deliver(message));
    await publisher.publish("env.acme.staging.work", new TextEncoder().encode("ding"));
    const message = await got;
    assert.equal(new TextDecoder().decode(message.data), "ding");
  } finally {
    await publisher.close();
    await subscriber.close();
  }
});

test("connecting to a server that is not there fails fast", async () => {
  const stopped = await startNatsServer();
  await stopped.stop();
  await assert.rejects(createNatsBus({ servers: stopped.url, clock: systemClock }));
});

test("a missing nats-server binary fails the start with the spawn error", async () => {
  await assert.rejects(startNatsServer({ binary: "/nonexistent/nats-server" }), /ENOENT/);
});

test("a background bus starts without a server and works once one appears", async () => {
  const port = await findFreePort();
  const bus = createBackgroundNatsBus({
    servers: `nats://127.0.0.1:${port}`,
    clock: systemClock,
    connectOptions: { reconnectTimeWait: 100 },
  });
  let late: NatsServer | undefined;
  try {
    await bus.publish("env.acme.staging.work", new TextEncoder().encode("lost")); // dropped, no throw
    const got = new Promise<string>((resolve) => {
      void bus.subscribe("env.acme.staging.work", (m) => resolve(new TextDecoder().decode(m.data)));
    });
    late = await startNatsServer({ port });
    const publisher = await createNatsBus({ servers: late.url, clock: systemClock });
    // Keep ringing until the background connection has attached the subscription.
    const ringing = setInterval(
      () => void publisher.publish("env.acme.staging.work", new TextEncoder().encode("ding")),
      50,
    );
    try {
      assert.equal(await got, "ding");
    } finally {
      clearInterval(ringing);
      await publisher.close();
    }
  } finally {
    await bus.close();
    await late?.stop();
  }
});

test("subscribe does not hang while the server is away: it waits at most subscribeFlushMs on the clock", async () => {
  const temporary = await startNatsServer();
  const clock = createManualClock();
  // An hour: only the clock moving ends the wait, so a real timer would time the test out.
  const subscribeFlushMs = 3_600_000;
  const bus = await createNatsBus({ servers: temporary.url, clock, subscribeFlushMs });
  try {
    await temporary.stop();
    let subscribed = false;
    const subscribing = bus
      .subscribe("exec.x.log", () => {})
      .then((off) => {
        subscribed = true;
        return off;
      });
    clock.advance(subscribeFlushMs - 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(subscribed, false, "still waiting for the server before the bound");
    clock.advance(1);
    const off = await subscribing;
    off();
  } finally {
    await bus.close().catch(() => {});
  }
});
