/**
 * Lambda entry for live log follows behind a Function URL with response streaming: the same
 * app, streamed as it is written, so server-sent events reach the browser as they happen
 * (API Gateway's HTTP API buffers whole responses). A follow stays open up to 14 minutes,
 * inside Lambda's 15-minute limit; clients then resume from Last-Event-ID. CloudFront sends it
 * the follow and archive routes and signs each request (origin access control), so the viewer's
 * Authorization header is restored first (viewer-authorization.ts).
 */
import { Hono } from "hono";
import { streamHandle } from "hono/aws-lambda";
import { buildAwsApiApp } from "./aws-app.ts";
import { restoreViewerAuthorization } from "./viewer-authorization.ts";

// A follow stays open up to 14 minutes; the artifact archive is streamed from here too (a
// buffered response stops at 6 MB).
const app = await buildAwsApiApp({ followMaxMs: 14 * 60_000 });
const edge = new Hono().all("*", (c) => app.fetch(restoreViewerAuthorization(c.req.raw), c.env));

export const handler = streamHandle(edge);
