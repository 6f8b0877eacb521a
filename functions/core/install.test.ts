/**
 * The install commands as a user copies them: the token only in the environment (never argv),
 * the CA of a self-signed ingress, host networking for a loopback ingress, and a Kubernetes
 * manifest valid against the Kubernetes OpenAPI schemas (kubernetes-models' validators).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Deployment } from "kubernetes-models/apps/v1";
import { Secret } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";
import { installCommands, TOKEN_PLACEHOLDER } from "./install.ts";

const TOKEN = "asy_agent_abc123";
const local = {
  ingressUrl: "https://localhost:8443",
  agentTarballUrl: "http://127.0.0.1:8080/agent/assay-agent-0.1.0.tgz",
  agentImage: "assay/agent:0.1.0",
  ingressCa: {
    file: "/home/me/repo/.assay/tls/ingress-cert.pem",
    pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  },
};
const cloud = {
  ingressUrl: "https://agents.example.com:443",
  agentTarballUrl: "https://app.example.com/agent/assay-agent-0.1.0.tgz",
  agentImage: "registry.example.com/assay/agent:0.1.0",
};

/** The words a shell passes as argv after an optional leading `VAR=value` assignment. */
function argvOf(command: string): string[] {
  return command.replace(/^ASSAY_AGENT_TOKEN='[^']*' /, "").split(/\s+/);
}

function manifests(yamlText: string) {
  const docs = parseAllDocuments(yamlText);
  for (const d of docs) assert.deepEqual(d.errors, []);
  return docs.map((d) => d.toJS() as { kind: string });
}

describe("install commands", () => {
  test("npx runs the served tarball, with the token in the environment and the CA of a local ingress", () => {
    const c = installCommands(local, { orgId: "acme", envId: "local", token: TOKEN });
    assert.equal(
      c.npx,
      `ASSAY_AGENT_TOKEN='${TOKEN}' npx --yes ${local.agentTarballUrl} agent --url https://localhost:8443 --ca-file '${local.ingressCa.file}'`,
    );
    assert.ok(!argvOf(c.npx).some((w) => w.includes(TOKEN)), "the token is not an argument");
    assert.equal(c.agentTarballUrl, local.agentTarballUrl);
  });

  test("docker shares the host network for a loopback ingress, mounts the CA and the Docker socket", () => {
    const c = installCommands(local, { orgId: "acme", envId: "local", token: TOKEN });
    const argv = argvOf(c.docker);
    assert.ok(!argv.some((w) => w.includes(TOKEN)), "the token is not an argument");
    assert.ok(argv.includes("--network") && argv.includes("host"));
    assert.ok(c.docker.includes(` -e ASSAY_AGENT_TOKEN `), "docker takes the value from its environment");
    assert.ok(c.docker.includes(`-v '${local.ingressCa.file}':/etc/assay/ca.pem:ro`));
    assert.ok(c.docker.includes("-v /var/run/docker.sock:/var/run/docker.sock"));
    assert.match(
      c.docker,
      /assay\/agent:0\.1\.0 agent --url https:\/\/localhost:8443 --ca-file \/etc\/assay\/ca\.pem$/,
    );
  });

  test("against a public ingress: no CA, no host network", () => {
    const c = installCommands(cloud, { orgId: "acme", envId: "prod" });
    assert.equal(c.tokenIncluded, false);
    assert.ok(!c.npx.includes("--ca-file") && !c.docker.includes("--ca-file"));
    assert.ok(!c.docker.includes("--network host"));
    assert.ok(
      c.npx.startsWith(`ASSAY_AGENT_TOKEN='${TOKEN_PLACEHOLDER}' `),
      "the placeholder is quoted for the shell",
    );
    const [, deployment] = manifests(c.kubernetes);
    assert.equal(JSON.stringify(deployment).includes("hostNetwork"), false);
  });

  for (const [name, settings] of [
    ["local", local],
    ["cloud", cloud],
  ] as const) {
    test(`the Kubernetes manifest (${name}) is valid for the Kubernetes API and takes the token from the Secret`, () => {
      const c = installCommands(settings, { orgId: "acme", envId: "staging", token: TOKEN });
      const docs = manifests(c.kubernetes);
      assert.deepEqual(
        docs.map((d) => d.kind),
        ["Secret", "Deployment"],
      );
      const secret = new Secret(docs[0] as never);
      const deployment = new Deployment(docs[1] as never);
      secret.validate();
      deployment.validate();
      assert.equal(secret.stringData?.ASSAY_AGENT_TOKEN, TOKEN);
      const pod = deployment.spec?.template.spec;
      const container = pod?.containers[0];
      assert.equal(container?.image, settings.agentImage);
      assert.deepEqual(container?.env, [
        {
          name: "ASSAY_AGENT_TOKEN",
          valueFrom: { secretKeyRef: { name: secret.metadata?.name, key: "ASSAY_AGENT_TOKEN" } },
        },
      ]);
      assert.ok(!container?.args?.some((a) => a.includes(TOKEN)), "the token is not an argument");
      assert.equal(pod?.securityContext?.runAsNonRoot, true);
      assert.match(c.kubernetes, /process runtime/, "says what the agent can run in a pod");
      assert.match(c.kubernetes, /Docker runtime/);
      if (name === "local") {
        assert.equal(pod?.hostNetwork, true);
        assert.equal(secret.stringData?.["ca.pem"], local.ingressCa.pem);
        assert.deepEqual(container?.args?.slice(-2), ["--ca-file", "/etc/assay/ca.pem"]);
      }
    });
  }

  test("a manifest the schemas refuse is refused (the validator is live)", () => {
    const c = installCommands(cloud, { orgId: "acme", envId: "staging" });
    const deployment = manifests(c.kubernetes)[1] as unknown as { spec: { replicas: unknown } };
    deployment.spec.replicas = "one";
    assert.throws(() => new Deployment(deployment as never).validate(), /replicas must be integer/);
  });
});
