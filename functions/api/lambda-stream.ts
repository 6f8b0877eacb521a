/**
 * Lambda entry for live log follows behind a Function URL with response streaming: the same
 * app, streamed as it is written, so server-sent events reach the browser as they happen
 * (API Gateway's HTTP API buffers whole responses). A follow stays open up to 14 minutes,
 * inside Lambda's 15-minute limit; clients then resume from Last-Event-ID. CloudFront sends it
 * the follow and archive routes and signs each request (origin access control), so the viewer's
 * Authorization header is restored first (viewer-authorization.ts).
 */
import { Hono } from "hono";
import { getConnInfo, streamHandle } from "hono/aws-lambda";
import { createArtifactService } from "../core/artifacts.ts";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { createApiApp } from "./app.ts";
import { restoreViewerAuthorization } from "./viewer-authorization.ts";

const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const app = createApiApp({
  ...core,
  tenants: core.ports.tenants,
  bus,
  logger,
  // The artifact archive is streamed from here (a buffered response stops at 6 MB).
  artifacts: createArtifactService({
    blobs: core.ports.artifactBlobs,
    jobs: core.ports.jobs,
    tenants: core.ports.tenants,
    clock: core.ports.clock,
  }),
  followMaxMs: 14 * 60_000,
  clientIp: (c) => getConnInfo(c).remote.address,
});
const edge = new Hono().all("*", (c) => app.fetch(restoreViewerAuthorization(c.req.raw), c.env));

export const handler = streamHandle(edge);
