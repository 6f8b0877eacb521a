/**
 * The artifact side of the local control plane, composed in one place: the artifact service
 * (upload grants, listing, report), the ingress's upload handler, the unpack and retention
 * workers, and the retention timer (sweeping the organizations recorded in `local.json`).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createArtifactService } from "../core/artifacts.ts";
import type { Core } from "../core/index.ts";
import type { BlobStore, Clock, Logger } from "../core/ports.ts";
import { createUnpacker } from "../core/unpack.ts";
import { createArtifactUploads } from "../ingress/artifact-uploads.ts";
import { createRetentionJob, createUnpackArtifactsJob } from "../worker/jobs.ts";
import { startRetentionSchedule } from "../worker/retention-schedule.ts";
import { createSqsHandler } from "../worker/sqs-handler.ts";
import { LocalState } from "./bootstrap.ts";

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
  const orgIds = async () => {
    const raw = await readFile(join(deps.dataDir, "local.json"), "utf8").catch(() => undefined);
    const state = raw === undefined ? undefined : LocalState.safeParse(JSON.parse(raw));
    return state?.success ? [state.data.orgId] : [];
  };
  return {
    artifacts,
    unpacker,
    uploads: createArtifactUploads({ artifacts, work: core.work, logger }),
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
