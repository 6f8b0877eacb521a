import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { findFreePort, isAlive, startListeningChild, superviseChild, waitForPort } from "./child-process.ts";

const waitUntilDead = async (pid: number): Promise<boolean> => {
  // Bounded poll: the watchdog checks once a second; 100 x 100 ms is a generous safety net.
  for (let i = 0; i < 100; i++) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return false;
};

test("a supervised child dies when its parent is SIGKILLed (watchdog)", async () => {
  const script = `
    import { spawn } from "node:child_process";
    import { superviseChild } from ${JSON.stringify(new URL("./child-process.ts", import.meta.url).href)};
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    superviseChild(child);
    console.log(child.pid);
  `;
  const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(parent.stdout, "data")) as [Buffer];
  const childPid = Number.parseInt(line.toString(), 10);
  assert.equal(isAlive(childPid), true);
  parent.kill("SIGKILL");
  await once(parent, "exit");
  assert.equal(await waitUntilDead(childPid), true, "the orphaned child was terminated");
});

test("a supervised child dies when its parent exits normally (exit listener)", async () => {
  const script = `
    import { spawn } from "node:child_process";
    import { superviseChild } from ${JSON.stringify(new URL("./child-process.ts", import.meta.url).href)};
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    superviseChild(child);
    console.log(child.pid);
    process.exit(0);
  `;
  const parent = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(parent.stdout, "data")) as [Buffer];
  await once(parent, "exit");
  assert.equal(await waitUntilDead(Number.parseInt(line.toString(), 10)), true);
});

test("stop() is idempotent and waitForPort fails fast when the child exits", async () => {
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  const supervised = superviseChild(child);
  await Promise.all([supervised.stop(), supervised.stop()]);
  assert.equal(isAlive(supervised.pid), false);

  const quitter = spawn("true", [], { stdio: "ignore" });
  await once(quitter, "exit");
  await assert.rejects(waitForPort(quitter, await findFreePort()), /exited before listening/);
});

test("waitForPort resolves once something listens", async () => {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  try {
    await waitForPort(child, address.port);
  } finally {
    child.kill();
    server.close();
  }
});

test("startListeningChild: a server that listens is returned supervised; one that cannot start is named", async () => {
  const listener = `
    import { createServer } from "node:net";
    createServer().listen(Number(process.argv[1]), "127.0.0.1");
  `;
  const spawned: number[] = [];
  const { port, supervised } = await startListeningChild({
    what: "the test server",
    startTimeoutMs: 30_000,
    spawnOn: (port) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", listener, String(port)]);
      if (child.pid !== undefined) spawned.push(child.pid);
      return child;
    },
  });
  assert.deepEqual(spawned, [supervised.pid]);
  assert.ok(port > 0);
  await supervised.stop();
  assert.equal(isAlive(supervised.pid), false);

  /** Starts a server that never listens; resolves to how many children were spawned. */
  const spawnsOfFailedStart = async (what: string, spawnOne: () => ChildProcess, error: RegExp) => {
    let spawns = 0;
    const started = startListeningChild({
      what,
      startTimeoutMs: 30_000,
      spawnOn: () => {
        spawns++;
        return spawnOne();
      },
    });
    await assert.rejects(started, error);
    return spawns;
  };
  assert.equal(
    await spawnsOfFailedStart(
      "the missing server",
      () => spawn("/nonexistent/assay-server"),
      /the missing server failed to start: .*ENOENT/,
    ),
    1,
    "a binary that cannot be spawned is not retried on other ports",
  );
  assert.equal(
    await spawnsOfFailedStart(
      "the quitting server",
      () => spawn(process.execPath, ["-e", "process.exit(3)"]),
      /the quitting server failed to start: .*exited before listening/,
    ),
    3,
    "a child that fails to listen on a picked port is retried on two more",
  );
});
