import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runBusContract } from "../../core/contracts/bus.contract.ts";
import type { BusMessage } from "../../core/ports.ts";
import { createNatsBus } from "./nats-bus.ts";
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
