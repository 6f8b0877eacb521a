/**
 * The deployment and the runtime agree on configuration: every Lambda function and the ingress
 * container of both stages get an environment that the runtime's own schema
 * (functions/runtime/aws-config.ts) accepts, with no name it does not know. Values CloudFormation
 * resolves at deploy (queue URLs, bucket names, the config key) stand in as a placeholder URL.
 *
 * Cross-package on purpose: infra imports no runtime code, and the runtime no infra.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as z from "zod";
import { VIEWER_AUTHORIZATION_HEADER } from "../../functions/api/viewer-authorization.ts";
import { AwsConfig } from "../../functions/runtime/aws-config.ts";
import { viewerAuthorizationHeader } from "../../infra/lib/stacks/web-stack.ts";
import { resourcesOf, type Synthesized, synthesize } from "../../infra/test/fixture.ts";

/** Stands for a value CloudFormation resolves at deploy; a URL, so URL-typed fields accept it. */
const resolvedAtDeploy = "https://resolved-at-deploy.invalid/value";

/** Set by the platform or by AssayFunction for Node itself, not read by the runtime. */
const platformVariables = new Set(["NODE_OPTIONS"]);

/** The ingress container's own schema (functions/ingress/main.ts parses it at import). */
const IngressConfig = AwsConfig.extend({
  ASSAY_INGRESS_PORT: z.coerce.number().int(),
  ASSAY_HEALTH_PORT: z.coerce.number().int(),
  ASSAY_INGRESS_TLS: z.enum(["off", "self-signed"]),
  ASSAY_DRAIN_GRACE_MS: z.coerce.number().int(),
  ASSAY_PRESENCE_REFRESH_MS: z.coerce.number().int().optional(),
  ASSAY_MAX_STREAM_AGE_MS: z.coerce.number().int().optional(),
});

/**
 * Runtime settings the stacks deliberately leave unset, with why. A new schema field fails the
 * last test until it is set by the stacks or added here.
 */
const leftUnset: Record<string, string> = {
  ASSAY_LEASE_TTL_MS: "the 90 s default lease (six 15 s heartbeats) is what the protocol documents",
  ASSAY_LOG_LEVEL: "info by default",
  ASSAY_REGISTER_TOKEN_LIMIT: "600 agent registrations a minute per token by default (core/rate-limit.ts)",
  ASSAY_REGISTER_SOURCE_LIMIT: "1,200 agent registrations a minute per source address by default",
  ASSAY_AGENT_IMAGE:
    "install commands name ASSAY_AGENT_REGISTRY/assay/agent:<version>, the name release:agent-image pushes",
  ASSAY_SES_CONFIGURATION_SET: "no SES configuration set is created (bounce tracking not set up)",
  AWS_ENDPOINT_URL_DYNAMODB: "stand-in endpoints, local and tests only",
  AWS_ENDPOINT_URL_S3: "stand-in endpoints, local and tests only",
  AWS_ENDPOINT_URL_SQS: "stand-in endpoints, local and tests only",
  AWS_ENDPOINT_URL_KMS: "stand-in endpoints, local and tests only",
  ASSAY_SSO_PROVIDERS: "platform-wide sign-in providers are opt-in, set by the operator (docs/sso.md)",
};

const asEnvironment = (variables: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(variables)
      .filter(([name]) => !platformVariables.has(name))
      .map(([name, value]) => [name, typeof value === "string" ? value : resolvedAtDeploy]),
  );

interface Process {
  readonly label: string;
  readonly environment: Record<string, string>;
}

function processesOf(stage: string, synthesized: Synthesized): Process[] {
  const processes: Process[] = [];
  for (const stack of ["api", "workers"] as const) {
    for (const [id, fn] of resourcesOf(synthesized.template(stack), "AWS::Lambda::Function")) {
      const variables = (fn.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      processes.push({ label: `${stage} ${stack} ${id}`, environment: asEnvironment(variables ?? {}) });
    }
  }
  for (const [id, task] of resourcesOf(synthesized.template("ingress"), "AWS::ECS::TaskDefinition")) {
    const [container] = task.ContainerDefinitions as Array<{
      Environment: Array<{ Name: string; Value: unknown }>;
      Secrets?: Array<{ Name: string }>;
    }>;
    assert.ok(container);
    const variables: Record<string, unknown> = {};
    for (const { Name, Value } of container.Environment) variables[Name] = Value;
    for (const { Name } of container.Secrets ?? []) variables[Name] = { secret: Name };
    // AWS_REGION is read by the runtime too: part of the container's environment.
    processes.push({ label: `${stage} ingress ${id}`, environment: asEnvironment(variables) });
  }
  return processes;
}

const stages = { dev: synthesize("dev"), prod: synthesize("prod") };
const processes = Object.entries(stages).flatMap(([stage, s]) => processesOf(stage, s));

describe("runtime environment of the deployment", () => {
  it("finds every function and the ingress container", () => {
    // API + stream, 7 queue workers, 3 scheduled functions, per stage; one ingress task each.
    assert.equal(processes.filter((p) => !p.label.includes("ingress")).length, 2 * 12);
    assert.equal(processes.filter((p) => p.label.includes("ingress")).length, 2);
  });

  it("gives each one an environment the runtime's schema accepts, with no unknown names", () => {
    for (const { label, environment } of processes) {
      const schema = label.includes("ingress") ? IngressConfig : AwsConfig;
      const parsed = schema.strict().safeParse(environment);
      assert.ok(parsed.success, `${label}: ${parsed.success ? "" : z.prettifyError(parsed.error)}`);
    }
  });

  it("sets every queue URL the runtime sends to, in every process (a missing one fails that send)", () => {
    const queues = Object.keys(AwsConfig.shape).filter((name) => name.startsWith("ASSAY_QUEUE_URL_"));
    assert.equal(queues.length, 7);
    for (const { label, environment } of processes) {
      for (const name of queues) assert.ok(environment[name], `${label} lacks ${name}`);
    }
  });

  it("sets or deliberately leaves unset each of the runtime's settings", () => {
    const set = new Set(processes.flatMap((p) => Object.keys(p.environment)));
    for (const name of Object.keys(AwsConfig.shape)) {
      assert.ok(set.has(name) || name in leftUnset, `${name}: set it in infra or say why not in leftUnset`);
    }
  });

  it("names the viewer's Authorization copy the same at the edge and in the streaming entry", () => {
    assert.equal(viewerAuthorizationHeader, VIEWER_AUTHORIZATION_HEADER);
  });
});
