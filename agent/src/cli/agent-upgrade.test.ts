/**
 * `assay agent` as a real process against a control plane that no longer speaks its protocol
 * (the test gateway over TLS on loopback, refusing with the typed `Refusal`): it prints the
 * versions and the install command and exits 2 (the CLI's error exit), without retrying.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { PROTOCOL_VERSION, Refusal_Reason } from "@assay/shared/proto";
import { status } from "@grpc/grpc-js";
import { startTestGateway } from "../daemon/test-gateway.ts";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "assay.ts");

test("an agent refused for its protocol version says how to upgrade and exits 2", async () => {
  const upgradeCommand =
    "ASSAY_AGENT_TOKEN='<AGENT_TOKEN>' npx --yes https://app.example/agent/assay-agent-9.0.0.tgz agent --url https://agents.example:443";
  const gateway = await startTestGateway({
    refuse: {
      code: status.FAILED_PRECONDITION,
      details: `agent protocol version ${PROTOCOL_VERSION} is not supported`,
      refusal: {
        reason: Refusal_Reason.REASON_PROTOCOL_UNSUPPORTED,
        protocolVersion: PROTOCOL_VERSION,
        minProtocolVersion: PROTOCOL_VERSION + 1,
        maxProtocolVersion: PROTOCOL_VERSION + 1,
        upgradeCommand,
      },
    },
  });
  const dir = await mkdtemp(join(tmpdir(), "assay-upgrade-"));
  try {
    const agent = spawn(
      process.execPath,
      [
        bin,
        "agent",
        "--url",
        gateway.url,
        "--ca-file",
        gateway.caFile,
        "--state-dir",
        join(dir, "state"),
        "--work-dir",
        join(dir, "work"),
        "--runtime",
        "process",
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, NO_COLOR: "1", ASSAY_AGENT_TOKEN: "asy_agent_test" },
      },
    );
    let stderr = "";
    agent.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = await once(agent, "exit");
    assert.equal(code, 2, stderr);
    assert.match(
      stderr,
      new RegExp(
        `this agent \\(version [^,]+, protocol ${PROTOCOL_VERSION}\\) is too old for the control plane, which supports agent protocol ${PROTOCOL_VERSION + 1}\\.`,
      ),
    );
    assert.ok(stderr.includes(`  ${upgradeCommand}`), stderr);
    // Registered once, refused at its one hello: no retry storm.
    assert.equal(gateway.registerCalls.length, 1);
    assert.equal(gateway.sessions.length, 0);
    process.stdout.write(`${stderr}\n`);
  } finally {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  }
});
