/**
 * Artifacts and the test report of an execution: the file tree with sizes, one file (a redirect
 * to a short-lived presigned URL scoped to that object, so bytes never pass through the API),
 * every file as one streamed tar.gz, and the JUnit report parsed from the files.
 */
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { AppError, ExecutionId } from "@assay/shared";
import type { Context, Hono } from "hono";
import * as z from "zod";
import { type ApiDeps, type ApiEnv, envOf } from "../context.ts";
import { defineRoute, relativeTo } from "../route-spec.ts";
import { authErrors, ErrorResponse, ExecutionParams } from "../schemas.ts";
import { parseInput } from "../validate.ts";
import { ENV_BASE } from "./envs.ts";

/** Lifetime of a download redirect's URL. */
const DOWNLOAD_URL_SECONDS = 300;
/** Largest file `?preview=text` serves (the dashboard previews up to this size). */
const PREVIEW_MAX_BYTES = 5 * 1024 * 1024;

/** The specs of these routes (the OpenAPI document is built from them). */
export const artifactSpecs = {
  artifacts: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/artifacts`,
    summary: "The artifact files of an execution, with sizes",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams,
    responses: {
      200: {
        description: "Files",
        schema: z.object({ files: z.array(z.looseObject({ path: z.string(), size: z.number() })) }).loose(),
      },
      ...authErrors,
    },
  }),
  report: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/report`,
    summary: "Test cases parsed from the JUnit XML among the artifacts",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams,
    responses: { 200: { description: "The report", schema: z.looseObject({}) }, ...authErrors },
  }),
  artifactsArchive: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/artifacts.tar.gz`,
    summary: "Every artifact file as one streamed tar.gz",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams,
    responses: { 200: { description: "A gzip tarball", contentType: "application/gzip" }, ...authErrors },
  }),
  artifactFile: defineRoute({
    method: "get",
    path: `${ENV_BASE}/executions/:id/artifacts/*`,
    summary:
      "One artifact file: a redirect to a short-lived presigned URL, or with ?preview=text its bytes as sandboxed text/plain (up to 5 MiB)",
    tag: "artifacts",
    auth: "any",
    params: ExecutionParams.extend({ path: z.string().describe("the file's path inside the artifacts") }),
    query: z.object({ preview: z.literal("text").optional() }),
    responses: {
      200: { description: "The file as text (?preview=text)" },
      302: { description: "Redirect to the file" },
      413: { description: "Larger than the preview limit", schema: ErrorResponse },
      ...authErrors,
    },
  }),
};

export function artifactRoutes(app: Hono<ApiEnv>, deps: ApiDeps) {
  const at = (path: string) => relativeTo(ENV_BASE, path);
  const scope = (c: Context<ApiEnv>) => {
    const id = parseInput(ExecutionId, c.req.param("id"), "id");
    if (!deps.artifactReads) throw new AppError("not_found", "artifacts are not enabled");
    return { principal: c.get("principal"), ref: { ...envOf(c), id }, artifacts: deps.artifactReads };
  };

  app.get(at(artifactSpecs.artifacts.path), async (c) => {
    const { principal, ref, artifacts } = scope(c);
    return c.json(await artifacts.list(principal, ref));
  });

  app.get(at(artifactSpecs.report.path), async (c) => {
    const { principal, ref, artifacts } = scope(c);
    return c.json(await artifacts.report(principal, ref));
  });

  app.get(at(artifactSpecs.artifactsArchive.path), async (c) => {
    const { principal, ref, artifacts } = scope(c);
    const tar = await artifacts.archive(principal, ref);
    const gzip = Readable.from(tar).pipe(createGzip({ level: 1 }));
    return c.body(Readable.toWeb(gzip) as ReadableStream, 200, {
      "content-type": "application/gzip",
      "content-disposition": `attachment; filename="artifacts-${ref.id}.tar.gz"`,
    });
  });

  app.get(at(artifactSpecs.artifactFile.path), async (c) => {
    const { principal, ref, artifacts } = scope(c);
    const marker = `/executions/${ref.id}/artifacts/`;
    const raw = c.req.path.slice(c.req.path.indexOf(marker) + marker.length);
    const path = decodeURIComponent(raw);
    const file = await artifacts.file(principal, ref, path);
    if (c.req.query("preview") === "text") {
      // Text to read in a page (XML, JSON, YAML included): a browser shows text/plain as is,
      // where XML would render as its (mostly empty) text content. Sandboxed, never sniffed.
      if (file.size > PREVIEW_MAX_BYTES) {
        throw new AppError("payload_too_large", `artifact ${path}: larger than the preview limit of 5 MiB`);
      }
      const stream = await file.open();
      if (!stream) throw new AppError("not_found", `artifact ${path} not found`);
      return c.body(Readable.toWeb(Readable.from(stream)) as ReadableStream, 200, {
        "content-type": "text/plain; charset=utf-8",
        "x-content-type-options": "nosniff",
        "content-security-policy": "sandbox",
        "cache-control": "private, no-store",
      });
    }
    return c.redirect(await file.url(DOWNLOAD_URL_SECONDS), 302);
  });
}
