import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LaunchRequest } from "../runtime.ts";
import {
  buildContainerSpec,
  type ImageFacts,
  parseCpu,
  parseMemory,
  type SpecContext,
} from "./container-spec.ts";

const image: ImageFacts = {
  name: "img:1",
  entrypoint: ["/entry"],
  cmd: ["default"],
  user: "",
  env: ["PATH=/usr/bin"],
};
const context: SpecContext = {
  workspace: "/ws",
  toolsDir: "/tools",
  network: "net",
  labels: { a: "b" },
  volumes: { scratch: { source: "/ws.volumes/scratch", readOnly: false, named: false } },
  allowPrivileged: false,
};
const request = (fields: Partial<LaunchRequest>): LaunchRequest => ({
  ref: "r1",
  kind: "step",
  env: {},
  ...fields,
});
const build = (fields: Partial<LaunchRequest>, facts = image, ctx = context) =>
  buildContainerSpec(request(fields), facts, ctx);

describe("container spec", () => {
  it("maps command to the entrypoint and args to the cmd, as Kubernetes does", () => {
    const own = build({ command: ["/bin/app"], args: ["x"] });
    assert.ok(own.ok);
    assert.deepEqual([own.spec.Entrypoint, own.spec.Cmd], [["/bin/app"], ["x"]]);
    const entry = build({ args: ["y"], container: { entrypoint: true } });
    assert.ok(entry.ok);
    assert.deepEqual([entry.spec.Entrypoint, entry.spec.Cmd], [undefined, ["y"]]);
    const none = build({ container: { entrypoint: true } }, { ...image, entrypoint: [], cmd: [] });
    assert.ok(!none.ok);
    assert.match(none.error, /no entrypoint or cmd/);
  });

  it("runs shell scripts with the bound busybox under set -e, and appends its dir to PATH", () => {
    const built = build({ shell: "echo hi" });
    assert.ok(built.ok);
    assert.deepEqual(built.spec.Entrypoint, ["/.assay/bin/sh"]);
    assert.deepEqual(built.spec.Cmd, ["-c", "set -e\necho hi"]);
    assert.ok(built.spec.Env.includes("PATH=/usr/bin:/.assay/bin"));
    assert.ok(built.spec.Env.includes("CI=1"));
    assert.ok(built.spec.HostConfig.Binds.includes("/ws:/data"));
    assert.ok(built.spec.HostConfig.Binds.includes("/tools:/.assay/bin:ro"));
  });

  it("applies limits, user and read-only root; refuses privileged unless allowed and root under runAsNonRoot", () => {
    const container = {
      resources: { limits: { cpu: "500m", memory: "50Mi" } },
      securityContext: { runAsUser: 128, runAsGroup: 256, readOnlyRootFilesystem: true },
    };
    const built = build({ shell: "true", container });
    assert.ok(built.ok);
    assert.equal(built.spec.User, "128:256");
    assert.equal(built.spec.HostConfig.Memory, 50 * 1024 * 1024);
    assert.equal(built.spec.HostConfig.NanoCpus, 500_000_000);
    assert.equal(built.spec.HostConfig.ReadonlyRootfs, true);
    const privileged = build({ shell: "true", container: { securityContext: { privileged: true } } });
    assert.ok(!privileged.ok);
    assert.match(privileged.error, /--allow-privileged/);
    const allowed = build({ shell: "true", container: { securityContext: { privileged: true } } }, image, {
      ...context,
      allowPrivileged: true,
    });
    assert.ok(allowed.ok);
    const root = build({ shell: "true", container: { securityContext: { runAsNonRoot: true } } });
    assert.ok(!root.ok);
    assert.match(root.error, /runAsNonRoot/);
  });

  it("binds declared volumes and refuses a mount of an undeclared one", () => {
    const ok = build({ shell: "true", container: { volumeMounts: [{ name: "scratch", mountPath: "/s" }] } });
    assert.ok(ok.ok);
    assert.ok(ok.spec.HostConfig.Binds.includes("/ws.volumes/scratch:/s"));
    const missing = build({
      shell: "true",
      container: { volumeMounts: [{ name: "nope", mountPath: "/n" }] },
    });
    assert.ok(!missing.ok);
    assert.match(missing.error, /"nope" names no volume/);
  });

  it("parses Kubernetes quantities", () => {
    assert.equal(parseMemory("1Gi"), 1024 ** 3);
    assert.equal(parseMemory("500M"), 500e6);
    assert.equal(parseMemory(1024), 1024);
    assert.equal(parseMemory("lots"), undefined);
    assert.equal(parseCpu("250m"), 250_000_000);
    assert.equal(parseCpu(2), 2e9);
    assert.equal(parseCpu("-1"), undefined);
  });
});
