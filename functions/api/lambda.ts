/** Lambda entry of the HTTP API (behind API Gateway): build once per container, then serve. */
import { getConnInfo, handle } from "hono/aws-lambda";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { createApiApp } from "./app.ts";

const { core, logger, bus } = await buildAwsCore(loadAwsConfig(process.env));
const app = createApiApp({
  ...core,
  tenants: core.ports.tenants,
  bus,
  logger,
  // API Gateway's view of the caller (X-Forwarded-For is client-controlled).
  clientIp: (c) => getConnInfo(c).remote.address,
});

export const handler = handle(app);
