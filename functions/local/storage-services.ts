import { createArtifactService } from "../core/artifacts.ts";
import type { Core } from "../core/index.ts";
import type { BlobStore, Clock, Logger } from "../core/ports.ts";
import { createUnpacker } from "../core/unpack.ts";
import { createArtifactUploads } from "../ingress/artifact-uploads.ts";
import { createRetentionJob, createUnpackArtifactsJob } from "../worker/jobs.ts";
import { startRetentionSchedule } from "../worker/retention-schedule.ts";
import { createSqsHandler } from "../worker/sqs-handler.ts";

export function createLocalStorageServices(deps: {
  core: Core;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** Retention sweep interval (default one hour; 0 disables the timer). */
  retentionIntervalMs?: number;
}) {
  const { core, blobs, clock, logger } = deps;
  const { jobs, tenants, executions } = core.ports;
  const artifacts = createArtifactService({ blobs, jobs, tenants, clock });
  const unpacker = createUnpacker({ blobs, artifacts, clock });
  const orgIds = () => tenants.listOrgIds();
  return {
    artifacts,
    unpacker,
    uploads: createArtifactUploads({ artifacts, logger }),
    handlers: {
      "unpack-artifacts": createSqsHandler(
        "unpack-artifacts",
        createUnpackArtifactsJob({ unpacker }),
        logger,
      ),
      retention: createSqsHandler(
        "retention",
        createRetentionJob({ executions, tenants, jobs, clock }),
        logger,
      ),
    },
    startRetention: () =>
      startRetentionSchedule({ tenants, jobs, logger, orgIds, intervalMs: deps.retentionIntervalMs }),
  };
}
