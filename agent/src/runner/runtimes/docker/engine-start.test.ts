/**
 * The calls a starting Docker agent makes, against the real engine: over the socket and through
 * dockerode alike, the sweep removes the containers and networks labelled with its agent id and
 * leaves another agent's alone; the socket is found where dockerode looks for it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import type Docker from "dockerode";
import {
  AGENT_LABEL,
  dockerodeCalls,
  engineAnswers,
  socketCalls,
  sweepLeftovers,
  unixSocketOf,
} from "./engine-start.ts";
import { buildBusyboxImage, requireDocker } from "./test-images.ts";

const IMAGE = "assay-test/contract-shell:1";

/** A stopped container and a network labelled with `agentId`. */
const leave = async (docker: Docker, agentId: string) => {
  const labels = { [AGENT_LABEL]: agentId };
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ["true"], Labels: labels });
  const network = await docker.createNetwork({ Name: `assay-test-${agentId}`, Labels: labels });
  return { container: container.id, network: network.id };
};

const exists = (docker: Docker, left: { container: string; network: string }) =>
  Promise.all([
    docker
      .getContainer(left.container)
      .inspect()
      .then(
        () => true,
        () => false,
      ),
    docker
      .getNetwork(left.network)
      .inspect()
      .then(
        () => true,
        () => false,
      ),
  ]);

test("the socket is DOCKER_HOST's unix:// path or a default; other hosts have none", () => {
  assert.equal(
    unixSocketOf({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" }, "linux"),
    "/run/user/1000/docker.sock",
  );
  assert.match(unixSocketOf({}, "linux") ?? "", /docker\.sock$/);
  assert.equal(unixSocketOf({ DOCKER_HOST: "unix://" }, "linux"), unixSocketOf({}, "linux"));
  for (const host of ["tcp://127.0.0.1:2375", "ssh://user@host", "npipe:////./pipe/docker_engine"])
    assert.equal(unixSocketOf({ DOCKER_HOST: host }, "linux"), undefined, host);
  assert.equal(unixSocketOf({}, "win32"), undefined);
});

test("no engine at a socket path: it does not answer", async () => {
  assert.equal(await engineAnswers(socketCalls("/nonexistent/assay-test/docker.sock")), false);
});

for (const [name, callsOf] of [
  ["over the socket", () => socketCalls(unixSocketOf() ?? "/var/run/docker.sock")],
  ["through dockerode", (docker: Docker) => dockerodeCalls(docker)],
] as const) {
  test(`the sweep ${name} removes only this agent's leftovers`, async () => {
    const docker = await requireDocker();
    await buildBusyboxImage(docker, { tag: IMAGE, applets: ["sh", "true"] });
    const ours = `agt_test_${randomBytes(4).toString("hex")}`;
    const theirs = `agt_test_${randomBytes(4).toString("hex")}`;
    const mine = await leave(docker, ours);
    const other = await leave(docker, theirs);
    try {
      const calls = callsOf(docker);
      assert.equal(await engineAnswers(calls), true);
      assert.equal(await sweepLeftovers(calls, ours), 2);
      assert.deepEqual(await exists(docker, mine), [false, false]);
      assert.deepEqual(await exists(docker, other), [true, true]);
      assert.equal(await sweepLeftovers(calls, ours), 0);
    } finally {
      await sweepLeftovers(dockerodeCalls(docker), theirs);
    }
  });
}
