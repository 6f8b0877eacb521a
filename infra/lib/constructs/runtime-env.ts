/**
 * The runtime configuration every control-plane process reads (functions/runtime/aws.ts parses
 * it with one zod schema). Built in one place so the API, the workers and the ingress can never
 * disagree on a name.
 */
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import type { StageConfig } from "../config/stages.ts";
import { publicUrls } from "../config/stages.ts";
import { jobKinds, queueUrlVariable } from "../config/table-schema.ts";
import type { DataStack } from "../stacks/data-stack.ts";

/**
 * `natsUrl` only for processes that can reach NATS (in the VPC, in the clients group): the
 * runtime waits for its first NATS connection at start, so a function outside the VPC given the
 * URL would hang its cold start until the timeout.
 */
export function runtimeEnvironment(
  config: StageConfig,
  data: DataStack,
  natsUrl: string | undefined,
): Record<string, string> {
  const urls = publicUrls(config);
  const queues = Object.fromEntries(
    jobKinds.map((kind) => [queueUrlVariable(kind), data.queues[kind].queue.queueUrl]),
  );
  return {
    ASSAY_TABLE_NAME: data.table.tableName,
    ASSAY_LOGS_BUCKET: data.logsBucket.bucketName,
    ASSAY_ARTIFACTS_BUCKET: data.artifactsBucket.bucketName,
    ...queues,
    // Links in mail and the install command shown for an environment.
    ASSAY_PUBLIC_WEB_URL: urls.app,
    ASSAY_PUBLIC_INGRESS_URL: urls.ingress,
    // The registry release:agent-image pushed to: the docker and Kubernetes commands name it.
    ASSAY_AGENT_REGISTRY: config.agentRegistry,
    // Without NATS the control plane falls back to polling and sweeps: slower, never wrong.
    ...(natsUrl ? { ASSAY_NATS_URL: natsUrl } : {}),
  };
}

/**
 * The config-sealing key for Lambda: only the secret's ARN is in the configuration; the function
 * reads the value from Secrets Manager at init (functions/runtime/config-key.ts) and may read
 * exactly that secret. Containers get the value through ECS secrets instead.
 */
export function useConfigKey(fn: LambdaFunction, data: DataStack): void {
  fn.addEnvironment("ASSAY_CONFIG_KEY_SECRET_ARN", data.configKey.secretArn);
  data.configKey.grantRead(fn);
}
