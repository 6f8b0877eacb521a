/**
 * fauxqs (an in-process S3 + SQS emulator) for local mode and tests, with clients configured the
 * way the emulator needs: path-style S3 addressing, checksums only when an operation requires
 * them (see createS3Client), dummy credentials, and the emulator's endpoint for every SQS call
 * (queue URLs it hands out name hosts that do not resolve).
 *
 * fauxqs binds 0.0.0.0 whatever we ask and checks no credentials: fine on a developer machine
 * behind a firewall, never something to expose.
 */

import type { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import type { JobKind } from "../../core/ports.ts";
import { createS3Client } from "../aws/s3-blob-store.ts";
import { ensureJobQueues } from "./sqs-queues.ts";

export interface LocalFauxqsOptions {
  /** Directory for persistence (SQLite); in memory when omitted. */
  dataDir?: string;
  /** Port; a free one when omitted. */
  port?: number;
  /** Region the clients sign for (default us-east-1). */
  region?: string;
}

export interface LocalFauxqs {
  /** `http://127.0.0.1:PORT`, the endpoint for both S3 and SQS. */
  readonly endpoint: string;
  readonly region: string;
  /** Dummy credentials the emulator accepts. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly sqsClient: SQSClient;
  readonly s3Client: S3Client;
  /** The emulator itself, for inspection in tests. */
  readonly server: FauxqsServer;
  /** Stops the emulator (flushing persistence) and destroys the clients. Idempotent. */
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** Starts fauxqs in this process and returns its endpoint and ready-made clients. */
export const startLocalFauxqs = async (options: LocalFauxqsOptions = {}): Promise<LocalFauxqs> => {
  const region = options.region ?? "us-east-1";
  // Every option is passed explicitly so fauxqs never falls back to its FAUXQS_* env variables.
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    defaultRegion: region,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const credentials = { ...LOCAL_CREDENTIALS };
  const sqsClient = new SQSClient({ endpoint, region, credentials });
  const s3Client = createS3Client({ endpoint, region, credentials });
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    region,
    credentials,
    sqsClient,
    s3Client,
    server,
    stop() {
      stopping ??= (async () => {
        sqsClient.destroy();
        s3Client.destroy();
        await server.stop();
      })();
      return stopping;
    },
  };
};

/**
 * Creates one queue (with its DLQ) per job kind on the emulator, idempotently, and returns the
 * queue URLs by kind, ready for createSqsJobQueue and startSqsPoller.
 */
export const ensureLocalQueues = async <K extends JobKind>(
  fauxqs: LocalFauxqs,
  kinds: readonly K[],
): Promise<Record<K, string>> => {
  const queues = await ensureJobQueues({ client: fauxqs.sqsClient, kinds });
  const urls = {} as Record<K, string>;
  for (const kind of kinds) urls[kind] = queues[kind].queueUrl;
  return urls;
};
