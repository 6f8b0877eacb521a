/** Lambda entry of the artifact unpacking worker (SQS): one uploaded bundle into files, index and report. */
import { createArtifactService } from "../../core/artifacts.ts";
import { systemClock } from "../../core/ports.ts";
import { createUnpacker } from "../../core/unpack.ts";
import { buildAwsCore, loadAwsConfig } from "../../runtime/aws.ts";
import { createUnpackArtifactsJob, insightsAfterUnpack } from "../jobs.ts";
import { createSqsHandler } from "../sqs-handler.ts";

const { core, logger } = await buildAwsCore(loadAwsConfig(process.env));
const blobs = core.ports.artifactBlobs;
const artifacts = createArtifactService({
  blobs,
  jobs: core.ports.jobs,
  tenants: core.ports.tenants,
  clock: systemClock,
});

export const handler = createSqsHandler(
  "unpack-artifacts",
  createUnpackArtifactsJob({
    unpacker: createUnpacker({ blobs, artifacts, clock: systemClock }),
    afterUnpack: insightsAfterUnpack(core.insights),
  }),
  logger,
);
