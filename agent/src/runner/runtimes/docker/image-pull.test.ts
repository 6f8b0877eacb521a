/**
 * The pull path against a real registry: Debian's `docker-registry` on loopback with htpasswd
 * auth (a bcrypt hash precomputed for the test password). An image built here is pushed under a
 * name unique to this run and its local tag removed, so the runtime must pull it. Checked:
 * `Never` refuses a missing image, a pull without credentials fails naming the registry's
 * reason, the agent's Docker config supplies the login, `IfNotPresent` reuses a present image
 * and `Always` pulls again. Only the tags this test made are removed afterwards.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { systemClock } from "@assay/shared/time";
import type Docker from "dockerode";
import { planSpec } from "../../plan-spec.ts";
import { startPlanRun } from "../../run-plan.ts";
import { createRecordingSink } from "../../test-support.ts";
import { createDockerRuntime } from "./docker-runtime.ts";
import { pushImage, serveRegistry } from "./slow-registry.ts";
import { buildBusyboxImage, requireDocker, SHELL_APPLETS } from "./test-images.ts";

const USER = "assay";
const PASSWORD = "assay-pass";
// bcrypt of PASSWORD (cost 12), as htpasswd would write it.
const HTPASSWD = `${USER}:$2b$12$qQ.oGQGWfVRybpWds5AVbu7d.ldJKKhx6.WrzL89.Vlq3236r7756\n`;

describe("Docker runtime: image pulls from a registry on loopback", () => {
  let docker: Docker;
  let dir: string;
  let registry: ChildProcess | undefined;
  let image: string;
  let dockerConfigDir: string;
  let emptyConfigDir: string;
  const local = `assay-test/pull-source:${process.pid}`;

  before(async () => {
    docker = await requireDocker();
    dir = await mkdtemp(join(tmpdir(), "assay-registry-"));
    await writeFile(join(dir, "htpasswd"), HTPASSWD);
    const served = await serveRegistry(
      dir,
      [`auth: {htpasswd: {realm: assay-test, path: ${join(dir, "htpasswd")}}}`],
      401,
    );
    const { port } = served;
    registry = served.process;
    image = `127.0.0.1:${port}/assay-pull-${process.pid}/app:1`;
    await buildBusyboxImage(docker, { tag: local, applets: SHELL_APPLETS });
    await docker.getImage(local).tag({ repo: image.slice(0, image.lastIndexOf(":")), tag: "1" });
    const auth = { username: USER, password: PASSWORD, serveraddress: `127.0.0.1:${port}` };
    await pushImage(docker, image, auth);
    await docker.getImage(image).remove();
    dockerConfigDir = join(dir, "docker-config");
    emptyConfigDir = join(dir, "no-config");
    const encoded = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(dockerConfigDir);
    await mkdir(emptyConfigDir);
    await writeFile(
      join(dockerConfigDir, "config.json"),
      JSON.stringify({ auths: { [`127.0.0.1:${port}`]: { auth: encoded } } }),
    );
  });
  after(async () => {
    await docker
      ?.getImage(image)
      .remove()
      .catch(() => undefined);
    await docker
      ?.getImage(local)
      .remove()
      .catch(() => undefined);
    registry?.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  });

  const runWith = async (policy: string, configDir: string) => {
    const runtime = createDockerRuntime({
      agentId: `pull-test-${process.pid}`,
      docker,
      env: { DOCKER_CONFIG: configDir },
    });
    const yaml = `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata: {name: pull}\nspec:\n  steps:\n  - run:\n      image: "${image}"\n      imagePullPolicy: ${policy}\n      shell: echo pulled-and-ran\n`;
    const planned = planSpec(yaml, {}, runtime);
    assert.ok(planned.ok);
    const workspace = await mkdtemp(join(dir, "ws-"));
    const recorder = createRecordingSink();
    const result = await startPlanRun({
      clock: systemClock,
      plan: planned.plan,
      workspace,
      sink: recorder.sink,
      baseEnv: {},
      secrets: [],
      runtime,
      executionId: "pull-test",
    }).done;
    return { result, log: recorder.text(), step: recorder.final("r1") };
  };

  it("Never refuses an image that is not present", async () => {
    const { result, step } = await runWith("Never", dockerConfigDir);
    assert.equal(result.status, "failed");
    assert.match(step?.message ?? "", /not present and imagePullPolicy is Never/);
  });

  it("a pull without credentials fails with the registry's reason", async () => {
    const { result, step } = await runWith("IfNotPresent", emptyConfigDir);
    assert.equal(result.status, "failed");
    assert.match(
      step?.message ?? "",
      /cannot pull image .*(unauthorized|no basic auth|authentication required)/i,
    );
  });

  it("pulls with the login from the agent's Docker config, then IfNotPresent reuses it and Always pulls again", async () => {
    const first = await runWith("IfNotPresent", dockerConfigDir);
    assert.equal(first.result.status, "passed", `${first.result.message}\n${first.log}`);
    assert.match(first.log, /\[assay\] pulling image/);
    assert.match(first.log, /pulled-and-ran/);
    const again = await runWith("IfNotPresent", dockerConfigDir);
    assert.equal(again.result.status, "passed");
    assert.doesNotMatch(again.log, /pulling image/);
    const always = await runWith("Always", dockerConfigDir);
    assert.equal(always.result.status, "passed");
    assert.match(always.log, /\[assay\] pulling image .*Always/);
  });
});
