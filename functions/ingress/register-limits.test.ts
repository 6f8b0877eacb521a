/**
 * Register's rate limit holds across ingress processes: the local control plane's ingress and
 * a second one (the container entry, functions/ingress/main.ts, its own process on the same
 * stores) share one count per token, though each spends reservations of several hits locally
 * (core/rate-limit-budget.ts). A real grpc-js client over TLS registers on both in turn until
 * both refuse.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { AgentGatewayClient, type Refusal, Refusal_Reason, refusalIn } from "@assay/shared/proto";
import * as grpc from "@grpc/grpc-js";
import { findFreePort, waitForPort } from "../adapters/local/child-process.ts";
import { registerCall } from "../testing/agent-identity.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/harness.ts";

const INGRESS_MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
/** Wide enough that each process reserves several hits per write (an eighth of what is left). */
const LIMIT = 40;

describe("Register's limit across two ingress processes", () => {
  let plane: TestControlPlane;
  let second: ChildProcess | undefined;
  let secondPort = 0;
  let output = "";

  before(async () => {
    plane = await startTestControlPlane({
      // The container entry's windows are a minute (ASSAY_REGISTER_TOKEN_LIMIT).
      tenancy: { rateLimits: { "register:token": { limit: LIMIT, windowSeconds: 60 } } },
    });
    secondPort = await findFreePort();
    second = spawn(process.execPath, [INGRESS_MAIN], {
      env: {
        ...process.env,
        ...plane.runtimeEnv(),
        ASSAY_INGRESS_TLS: "self-signed",
        ASSAY_TLS_DIR: join(plane.dataDir, "tls"),
        ASSAY_INGRESS_PORT: String(secondPort),
        ASSAY_HEALTH_PORT: String(await findFreePort()),
        ASSAY_LOG_LEVEL: "warn",
        ASSAY_REGISTER_TOKEN_LIMIT: String(LIMIT),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    second.stdout?.on("data", (d) => (output += d));
    second.stderr?.on("data", (d) => (output += d));
    await waitForPort(second, secondPort, { timeoutMs: 60_000, describe: () => output });
  });
  after(async () => {
    second?.kill("SIGKILL");
    await plane?.stop();
  });

  const register = (address: string) => registerCall(address, plane.caFile, plane.agentToken);

  test("the two processes register no more than the limit in all, then both refuse with a retry-after", async () => {
    // One window for the whole count: start early in a minute.
    const seconds = new Date().getUTCSeconds();
    if (seconds > 30) await new Promise((r) => setTimeout(r, (61 - seconds) * 1_000));
    const addresses = [plane.ingressUrl.replace("https://", ""), `localhost:${secondPort}`];
    const registered = [0, 0];
    const refused: Array<{ code: number; details: string; refusal?: Refusal } | undefined> = [];
    // In turn, a few at a time on each, until each process has refused once.
    for (let round = 0; refused.filter(Boolean).length < 2 && round < 40; round++) {
      for (const [i, address] of addresses.entries()) {
        if (refused[i]) continue;
        for (let k = 0; k < 3; k++) {
          const answer = await register(address);
          if (answer.code === grpc.status.OK) registered[i] = (registered[i] ?? 0) + 1;
          else {
            refused[i] = answer;
            break;
          }
        }
      }
    }
    assert.equal((registered[0] ?? 0) + (registered[1] ?? 0), LIMIT, `registered ${registered.join(" + ")}`);
    assert.ok((registered[0] ?? 0) > 0 && (registered[1] ?? 0) > 0, "both processes registered some");
    for (const answer of refused) {
      assert.equal(answer?.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(answer?.details, "too many attempts: wait and try again");
      assert.equal(answer?.refusal?.reason, Refusal_Reason.REASON_RATE_LIMITED);
      const retryAfterMs = Number(answer?.refusal?.retryAfterMs);
      assert.ok(retryAfterMs > 0 && retryAfterMs <= 60_000, `retry after ${retryAfterMs} ms`);
    }
    // Either process still refuses while the window lasts.
    assert.equal((await register(addresses[0] ?? "")).code, grpc.status.RESOURCE_EXHAUSTED);
  });
});
