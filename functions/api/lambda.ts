/** Lambda entry of the HTTP API (behind API Gateway): build once per container, then serve. */
import { getConnInfo, handle } from "hono/aws-lambda";
import { createArtifactService } from "../core/artifacts.ts";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { createApiApp } from "./app.ts";

const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const app = createApiApp({
  ...core,
  tenants: core.ports.tenants,
  bus,
  logger,
  // Listings, the test report and presigned downloads (uploads are granted by the ingress).
  artifacts: createArtifactService({
    blobs: core.ports.artifactBlobs,
    jobs: core.ports.jobs,
    tenants: core.ports.tenants,
    clock: core.ports.clock,
  }),
  // HTTP API buffers responses (and cuts them at 29 s): a follow answers what it has within 20 s
  // and the client resumes from Last-Event-ID. Live streaming goes through lambda-stream.ts.
  followMaxMs: 20_000,
  // API Gateway's view of the caller (X-Forwarded-For is client-controlled).
  clientIp: (c) => getConnInfo(c).remote.address,
});

export const handler = handle(app);
