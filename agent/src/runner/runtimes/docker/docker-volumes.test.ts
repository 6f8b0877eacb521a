/**
 * `pod.volumes` kinds in the Docker runtime, against the real engine: secret and configMap
 * volumes as read-only files from credentials, hostPath only when the agent allows it, a
 * persistentVolumeClaim as a named engine volume kept between runs, and a kind no container
 * runtime mounts refused before any step runs.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type Docker from "dockerode";
import { buildBusyboxImage, requireDocker, SHELL_APPLETS } from "./test-images.ts";
import { runOnDocker } from "./test-run.ts";

const IMAGE = "assay-test/shell:1";
const doc = (spec: string) =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: TestWorkflow\nmetadata:\n  name: volumes\nspec:\n  container:\n    image: ${IMAGE}\n${spec}`;

describe("Docker runtime: pod volume kinds", () => {
  let docker: Docker;
  let dir: string;
  const claim = `assay-test-claim-${process.pid}`;
  before(async () => {
    docker = await requireDocker();
    await buildBusyboxImage(docker, { tag: IMAGE, applets: [...SHELL_APPLETS, "wc", "stat"] });
    dir = await mkdtemp(join(tmpdir(), "assay-volumes-"));
  });
  after(async () => {
    await docker
      ?.getVolume(claim)
      .remove()
      .catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it("mounts secret and configMap volumes read-only, with files from credentials", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      doc(`  pod:
    volumes:
    - name: creds
      secret:
        secretName: db
    - name: settings
      configMap:
        name: app
        items:
        - key: config.json
          path: conf/app.json
          mode: 0600
  steps:
  - name: Read
    run:
      volumeMounts:
      - name: creds
        mountPath: /etc/creds
      - name: settings
        mountPath: /etc/app
      shell: |
        echo "user=$(cat /etc/creds/user) pass-length=$(wc -c < /etc/creds/password)"
        cat /etc/app/conf/app.json
        echo "mode $(stat -c %a /etc/app/conf/app.json)"
        if touch /etc/creds/new 2>/dev/null; then echo writable; else echo read-only; fi`),
      {
        credentials: [
          { name: "db.user", value: "admin", secret: false },
          { name: "db.password", value: "s3cret", secret: true },
          { name: "app.config.json", value: '{"debug":true}', secret: false },
        ],
      },
    );
    assert.equal(run.result.status, "passed", `${run.result.message}\n${run.log}`);
    assert.match(run.log, /user=admin pass-length=6/);
    assert.match(run.log, /\{"debug":true\}/);
    assert.doesNotMatch(run.log, /s3cret/);
    assert.match(run.log, /mode 600/);
    assert.match(run.log, /read-only/);
  });

  it("refuses hostPath unless the agent allows it, and mounts it when it does", async () => {
    const host = join(dir, "host-dir");
    await mkdir(host);
    await writeFile(join(host, "from-host.txt"), "host file\n");
    const yaml = doc(`  pod:
    volumes:
    - name: h
      hostPath:
        path: ${host}
  steps:
  - name: Read host
    run:
      volumeMounts:
      - name: h
        mountPath: /host
      shell: cat /host/from-host.txt`);
    const refused = await runOnDocker(docker, dir, yaml);
    assert.equal(refused.result.status, "failed");
    assert.match(refused.result.message, /hostPath volume "h" mounts .* which this agent does not allow/);
    assert.doesNotMatch(refused.log, /host file/);
    const allowed = await runOnDocker(docker, dir, yaml, { allowHostPaths: true });
    assert.equal(allowed.result.status, "passed", `${allowed.result.message}\n${allowed.log}`);
    assert.match(allowed.log, /host file/);
  });

  it("keeps a persistentVolumeClaim's files in a named volume between runs", async () => {
    const yaml = (script: string) =>
      doc(`  pod:
    volumes:
    - name: cache
      persistentVolumeClaim:
        claimName: ${claim}
  container:
    image: ${IMAGE}
    volumeMounts:
    - name: cache
      mountPath: /cache
  steps:
  - shell: ${script}`);
    const first = await runOnDocker(docker, dir, yaml("echo kept-between-runs > /cache/state.txt"));
    assert.equal(first.result.status, "passed", `${first.result.message}\n${first.log}`);
    const second = await runOnDocker(docker, dir, yaml("cat /cache/state.txt"));
    assert.equal(second.result.status, "passed", `${second.result.message}\n${second.log}`);
    assert.match(second.log, /kept-between-runs/);
    const volume = await docker.getVolume(claim).inspect();
    assert.equal(volume.Labels?.["dev.assay.claim"], claim);
  });

  it("refuses a volume kind no container runtime mounts, naming it", async () => {
    const run = await runOnDocker(
      docker,
      dir,
      doc(`  pod:
    volumes:
    - name: shared
      nfs:
        server: nfs.example
        path: /exports
  steps:
  - shell: echo should-not-run`),
    );
    assert.equal(run.result.status, "failed");
    assert.match(run.result.message, /spec\.pod\.volumes\[0\]: volume "shared" is of kind nfs/);
    assert.doesNotMatch(run.log, /should-not-run/);
  });
});
