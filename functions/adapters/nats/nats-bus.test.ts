import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runBusContract } from "../../core/contracts/bus.contract.ts";
import type { BusMessage } from "../../core/ports.ts";
import { findFreePort } from "../local/child-process.ts";
import { createBackgroundNatsBus, createNatsBus } from "./nats-bus.ts";
import { type NatsServer, startNatsServer } from "./nats-server.ts";

let server: NatsServer;
before(async () => {
  server = await startNatsServer();
});
after(() => server?.stop());

runBusContract("nats", () => createNatsBus({ servers: server.url }));

test("messages cross connections: a subscriber on one bus hears a publisher on another", async () => {
  const publisher = await createNatsBus({ servers: server.url, name: "publisher" });
  const subscriber = await createNatsBus({ servers: server.url, name: "subscriber" });
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
  await assert.rejects(createNatsBus({ servers: stopped.url }));
});

test("a missing nats-server binary fails the start with the spawn error", async () => {
  await assert.rejects(startNatsServer({ binary: "/nonexistent/nats-server" }), /ENOENT/);
});

test("a background bus starts without a server and works once one appears", async () => {
  const port = await findFreePort();
  const bus = createBackgroundNatsBus({
    servers: `nats://127.0.0.1:${port}`,
    connectOptions: { reconnectTimeWait: 100 },
  });
  let late: NatsServer | undefined;
  try {
    await bus.publish("env.acme.staging.work", new TextEncoder().encode("lost")); // dropped, no throw
    const got = new Promise<string>((resolve) => {
      void bus.subscribe("env.acme.staging.work", (m) => resolve(new TextDecoder().decode(m.data)));
    });
    late = await startNatsServer({ port });
    const publisher = await createNatsBus({ servers: late.url });
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

test("subscribe does not hang while the server is away", async () => {
  const temporary = await startNatsServer();
  const bus = await createNatsBus({ servers: temporary.url, subscribeFlushMs: 200 });
  try {
    await temporary.stop();
    const off = await bus.subscribe("exec.x.log", () => {});
    off();
  } finally {
    await bus.close().catch(() => {});
  }
});
