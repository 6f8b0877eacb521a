/**
 * Lambda entry for live log follows behind a Function URL with response streaming: the same
 * app, streamed as it is written, so server-sent events reach the browser as they happen
 * (API Gateway's HTTP API buffers whole responses). A follow stays open up to 14 minutes,
 * inside Lambda's 15-minute limit; clients then resume from Last-Event-ID.
 */
import { getConnInfo, streamHandle } from "hono/aws-lambda";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { createApiApp } from "./app.ts";

const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const app = createApiApp({
  ...core,
  tenants: core.ports.tenants,
  bus,
  logger,
  followMaxMs: 14 * 60_000,
  clientIp: (c) => getConnInfo(c).remote.address,
});

export const handler = streamHandle(app);
