/**
 * The real local control plane (DynamoDB Local, no agent) the workflow-engine test files share:
 * registers its start and stop on the enclosing suite, clears queued runs after each test (the
 * free plan counts them against its concurrent executions), and gives the small helpers the
 * tests speak in: PUT a YAML document, start a run, read JSON, a document's text, the stores'
 * DynamoDB config.
 */
import { after, afterEach, before } from "node:test";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDynamoExecutionStore } from "../adapters/aws/dynamo-execution-store.ts";
import { internalPrincipal } from "../core/access.ts";
import { startTestControlPlane, type TestControlPlane } from "./harness.ts";

/** A Testkube document of `kind` named `name` with `spec` (indented) and extra metadata lines. */
export const doc = (kind: string, name: string, spec: string, meta = "") =>
  `apiVersion: testworkflows.testkube.io/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${meta}spec:\n${spec}`;

export const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

/** The DynamoDB client and table of `plane`'s stores. */
export const storeConfig = (plane: TestControlPlane) => {
  const env = plane.runtimeEnv();
  return {
    client: new DynamoDBClient({
      endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
      region: env.AWS_REGION,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
    tableName: env.ASSAY_TABLE_NAME as string,
  };
};

/** Call inside a `describe`: the plane starts before its tests and stops after them. */
export const useEnginePlane = () => {
  let plane: TestControlPlane | undefined;
  let raw: ReturnType<typeof createDynamoExecutionStore> | undefined;
  const started = () => {
    if (plane === undefined) throw new Error("the control plane is not started (use inside a describe)");
    return plane;
  };
  before(async () => {
    plane = await startTestControlPlane();
    raw = createDynamoExecutionStore(storeConfig(plane));
  });
  after(async () => {
    await plane?.stop();
  });
  const cancelQueued = async () => {
    const p = started();
    const internal = internalPrincipal(p.orgId, "test cleanup");
    const page = await p.core.executions.list(
      internal,
      { orgId: p.orgId, envId: p.envId },
      { status: "queued" },
      { limit: 100 },
    );
    for (const e of page.items)
      await p.core.executions.abort(internal, { orgId: p.orgId, envId: p.envId, id: e.id });
  };
  afterEach(cancelQueued);
  return {
    get plane() {
      return started();
    },
    /** The execution store read directly (what is stored at rest). */
    get raw() {
      if (raw === undefined) throw new Error("the control plane is not started");
      return raw;
    },
    put: (path: string, body: string) =>
      started().api(`${started().envPath}/${path}`, {
        method: "PUT",
        body,
        headers: { "content-type": "application/yaml" },
      }),
    run: (name: string, body: unknown = {}) =>
      started().api(`${started().envPath}/workflows/${name}/executions`, {
        method: "POST",
        body: JSON.stringify(body),
      }),
    cancelQueued,
  };
};
