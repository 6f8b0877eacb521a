/**
 * The Bus contract: every implementation registers these cases with its own factory.
 *
 * "Not delivered" is asserted without sleeping: after the messages that must not arrive, the
 * case publishes a sentinel that must arrive on the same subscription. Messages from one
 * publisher reach one subscriber in order, so once the sentinel is in, anything that was going
 * to arrive before it has arrived.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import type { Bus, BusMessage } from "../ports.ts";
import { appError } from "./fixtures.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

/** Subscribes and records messages; `until(n)` resolves once n messages have arrived. */
const recorder = async (bus: Bus, pattern: string) => {
  const messages: Array<{ subject: string; text: string }> = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const unsubscribe = await bus.subscribe(pattern, (message: BusMessage) => {
    messages.push({ subject: message.subject, text: decode(message.data) });
    for (const waiter of waiters) if (messages.length >= waiter.count) waiter.resolve();
  });
  return {
    messages,
    unsubscribe,
    until: (count: number) =>
      new Promise<void>((resolve) => {
        if (messages.length >= count) resolve();
        else waiters.push({ count, resolve });
      }),
  };
};

/** Registers the Bus cases under `name`; `make` is called once, before the cases. */
export const runBusContract = (name: string, make: () => Bus | Promise<Bus>): void => {
  describe(`Bus contract: ${name}`, () => {
    let bus: Bus;
    // A unique root per case keeps cases (and concurrent test files on one server) apart.
    let root: string;
    before(async () => {
      bus = await make();
    });
    after(() => bus?.close());
    const fresh = () => {
      root = `t${randomBytes(4).toString("hex")}`;
      return root;
    };

    test("delivers bytes to an exact subscription, in publish order", async () => {
      const r = fresh();
      const rec = await recorder(bus, `${r}.exec.1.log`);
      for (let i = 0; i < 20; i++) await bus.publish(`${r}.exec.1.log`, encode(`line ${i}`));
      await rec.until(20);
      assert.deepEqual(
        rec.messages.map((m) => m.text),
        Array.from({ length: 20 }, (_, i) => `line ${i}`),
      );
      assert.equal(rec.messages[0]?.subject, `${r}.exec.1.log`);
      rec.unsubscribe();
    });

    test("binary payloads arrive intact and every subscriber gets its own message", async () => {
      const r = fresh();
      const payload = new Uint8Array(256).map((_, i) => i);
      const seen: Uint8Array[] = [];
      let done: () => void = () => {};
      const both = new Promise<void>((resolve) => {
        done = resolve;
      });
      const handler = (message: BusMessage) => {
        seen.push(message.data);
        if (seen.length === 2) done();
      };
      const offA = await bus.subscribe(`${r}.bin`, handler);
      const offB = await bus.subscribe(`${r}.bin`, handler);
      await bus.publish(`${r}.bin`, payload);
      await both;
      // Compare as plain Uint8Arrays: adapters may hand out a subclass (Node's Buffer).
      assert.deepEqual(new Uint8Array(seen[0] ?? []), payload);
      assert.deepEqual(new Uint8Array(seen[1] ?? []), payload);
      offA();
      offB();
    });

    test("`*` matches exactly one token", async () => {
      const r = fresh();
      const rec = await recorder(bus, `${r}.exec.*.log`);
      await bus.publish(`${r}.exec.42.status`, encode("no: other last token"));
      await bus.publish(`${r}.exec.4.2.log`, encode("no: two tokens"));
      await bus.publish(`${r}.exec.log`, encode("no: zero tokens"));
      await bus.publish(`${r}.exec.7.log`, encode("yes"));
      await rec.until(1);
      assert.deepEqual(rec.messages, [{ subject: `${r}.exec.7.log`, text: "yes" }]);
      rec.unsubscribe();
    });

    test("`>` matches one or more trailing tokens", async () => {
      const r = fresh();
      const rec = await recorder(bus, `${r}.env.>`);
      await bus.publish(`${r}.env`, encode("no: nothing after"));
      await bus.publish(`${r}.other.a`, encode("no"));
      await bus.publish(`${r}.env.acme`, encode("one"));
      await bus.publish(`${r}.env.acme.staging.work`, encode("three"));
      await rec.until(2);
      assert.deepEqual(
        rec.messages.map((m) => m.text),
        ["one", "three"],
      );
      rec.unsubscribe();
    });

    test("after unsubscribe nothing more is delivered to that handler", async () => {
      const r = fresh();
      const gone = await recorder(bus, `${r}.s`);
      const stays = await recorder(bus, `${r}.s`);
      await bus.publish(`${r}.s`, encode("before"));
      await gone.until(1);
      gone.unsubscribe();
      gone.unsubscribe(); // twice is harmless
      await bus.publish(`${r}.s`, encode("after"));
      await bus.publish(`${r}.s`, encode("sentinel"));
      await stays.until(3);
      assert.deepEqual(
        gone.messages.map((m) => m.text),
        ["before"],
      );
      stays.unsubscribe();
    });

    test("a throwing handler does not disturb the publisher or other subscribers", async () => {
      const r = fresh();
      const off = await bus.subscribe(`${r}.x`, () => {
        throw new Error("handler bug");
      });
      const rec = await recorder(bus, `${r}.x`);
      await bus.publish(`${r}.x`, encode("1"));
      await bus.publish(`${r}.x`, encode("2"));
      await rec.until(2);
      off();
      rec.unsubscribe();
    });

    test("invalid subjects and patterns are invalid_argument", async () => {
      for (const subject of ["", "a..b", ".a", "a.", "a b", "a.*", "a.>", "a.b*"]) {
        await assert.rejects(bus.publish(subject, encode("x")), appError("invalid_argument"), subject);
      }
      for (const pattern of ["", "a..b", "a.>.b", "a.b>", "a.*x", "a b"]) {
        await assert.rejects(
          bus.subscribe(pattern, () => {}),
          appError("invalid_argument"),
          pattern,
        );
      }
    });
  });

  test(`Bus contract: ${name}: close ends the bus`, async () => {
    const bus = await make();
    await bus.close();
    await bus.close(); // idempotent
    await assert.rejects(bus.publish("a.b", encode("x")));
  });
};
