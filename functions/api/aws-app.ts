/**
 * The API app as both Lambda entries build it (lambda.ts behind the HTTP API, lambda-stream.ts
 * behind the streaming Function URL): the AWS core from the function's environment and the
 * caller's address as API Gateway or the Function URL saw it. The entries differ only in how
 * long a log follow may stay open.
 */
import { getConnInfo } from "hono/aws-lambda";
import { buildAwsCore, loadAwsConfig } from "../runtime/aws.ts";
import { buildApi } from "./build-api.ts";

export async function buildAwsApiApp(options: { followMaxMs: number }) {
  const { core } = await buildAwsCore(loadAwsConfig(process.env));
  return buildApi(core, {
    followMaxMs: options.followMaxMs,
    // The platform's view of the caller (X-Forwarded-For is client-controlled).
    clientIp: (c) => getConnInfo(c).remote.address,
  });
}
