/**
 * The runtime configuration every control-plane process reads (the entries' config schemas).
 * Built in one place so the API, the workers and the ingress can never disagree on a name.
 */
import type { StageConfig } from "../config/stages.ts";
import { publicUrls } from "../config/stages.ts";
import type { DataStack } from "../stacks/data-stack.ts";

export function runtimeEnvironment(
  config: StageConfig,
  data: DataStack,
  natsUrl: string | undefined,
): Record<string, string> {
  const urls = publicUrls(config);
  return {
    ASSAY_TABLE_NAME: data.table.tableName,
    ASSAY_LOGS_BUCKET: data.logsBucket.bucketName,
    ASSAY_ARTIFACTS_BUCKET: data.artifactsBucket.bucketName,
    ASSAY_QUEUE_URL_CLEANUP: data.queues.cleanup.queue.queueUrl,
    ASSAY_QUEUE_URL_COMPACT_LOGS: data.queues["compact-logs"].queue.queueUrl,
    ASSAY_PUBLIC_API_URL: urls.api,
    ASSAY_INGRESS_PUBLIC_URL: urls.ingress,
    // Without NATS the control plane falls back to polling and sweeps: slower, never wrong.
    ...(natsUrl ? { ASSAY_NATS_URL: natsUrl } : {}),
  };
}
