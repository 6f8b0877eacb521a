/**
 * The API app as both Lambda entries build it (lambda.ts behind the HTTP API, lambda-stream.ts
 * behind the streaming Function URL): the AWS core from the function's environment, artifact
 * listings and downloads, and the caller's address as API Gateway or the Function URL saw it.
 * The entries differ only in how long a log follow may stay open.
 */
import { getConnInfo } from "hono/aws-lambda";
import { createArtifactService } from "../core/artifacts.ts";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { createApiApp } from "./app.ts";

export async function buildAwsApiApp(options: { followMaxMs: number }) {
  const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
  return createApiApp({
    ...core,
    tenants: core.ports.tenants,
    bus,
    logger,
    // Listings, the test report, presigned downloads and the archive (uploads are granted by
    // the ingress).
    artifacts: createArtifactService({
      blobs: core.ports.artifactBlobs,
      jobs: core.ports.jobs,
      tenants: core.ports.tenants,
      clock: core.ports.clock,
    }),
    followMaxMs: options.followMaxMs,
    // The platform's view of the caller (X-Forwarded-For is client-controlled).
    clientIp: (c) => getConnInfo(c).remote.address,
  });
}
