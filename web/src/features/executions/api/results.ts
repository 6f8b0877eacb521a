/**
 * An execution's results: the JUnit report and the artifacts.
 *
 * Files: the API answers `GET .../artifacts/{path}` with a redirect to a short-lived presigned
 * URL of that one object, so bytes never pass through the API. A page can use that redirect
 * only where the browser follows it itself and shows the result inline: <img> and a sandboxed
 * <iframe> with a session cookie. It cannot use it to *save* a file: a link with `download`
 * whose redirect leaves the origin turns into a navigation (the bucket sends no
 * Content-Disposition), and fetch can neither read a redirect's `Location` (opaque answer) nor
 * read the bucket cross-origin (no CORS, on purpose). With an API token not even previews work
 * that way: a redirect cannot carry the Bearer header.
 *
 * So downloads (and previews when signed in with a token) read the file out of the API's
 * streamed `artifacts.tar.gz`, fetched with the page's own credentials (lib/tar.ts), stopping
 * as soon as the file is complete. Auth stays a header or the cookie: no token in a URL, no
 * session minted from a token. The cost is the bytes of the files before it in the archive
 * (path order), bounded by READ_LIMIT; past it the page falls back to the redirect (cookie) or
 * says to use the CLI (token). An API answer with the presigned URL as JSON would remove this
 * cost (asked for).
 */
import type { ArtifactFile, ArtifactListing, TestReport } from "@assay/shared";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { call, enc, envPath, request } from "../../../api/client.ts";
import { ApiError } from "../../../api/errors.ts";
import { getCredentials } from "../../../auth/credentials.ts";
import { saveBlob } from "../../../lib/download.ts";
import { extractFromTarGz } from "../../../lib/tar.ts";

/** Most archive bytes read to reach one file (the file and everything before it). */
export const READ_LIMIT = 256 * 1024 * 1024;

/** Archive bytes up to the end of `file`: every earlier file with its 512-byte header and padding. */
export function bytesToRead(files: readonly ArtifactFile[], file: ArtifactFile): number {
  let total = 0;
  for (const f of files) {
    total += 512 + Math.ceil(f.size / 512) * 512;
    if (f.path === file.path) return total;
  }
  return Number.POSITIVE_INFINITY;
}

const base = (org: string, env: string, id: string) => `${envPath(org, env)}/executions/${enc(id)}`;

export const artifactUrl = (org: string, env: string, id: string, path: string) =>
  `${base(org, env, id)}/artifacts/${path.split("/").map(enc).join("/")}`;

export const artifactsArchiveUrl = (org: string, env: string, id: string) =>
  `${base(org, env, id)}/artifacts.tar.gz`;

/** True when files must be read through the API (signed in with an API token). */
export const readsThroughApi = (): boolean => getCredentials()?.kind === "token";

async function archive(org: string, env: string, id: string, signal?: AbortSignal): Promise<Response> {
  const result = await request<Response>(artifactsArchiveUrl(org, env, id), {
    as: "response",
    signal,
    headers: { accept: "application/gzip" },
  });
  if (!result.ok) throw result.error;
  return result.value;
}

/** One artifact's bytes, read through the API with the caller's token. */
export async function fetchArtifact(
  org: string,
  env: string,
  id: string,
  file: ArtifactFile,
  signal?: AbortSignal,
): Promise<Blob> {
  const response = await archive(org, env, id, signal);
  if (!response.body) throw new ApiError(0, "internal", "The archive came back empty.");
  const blob = await extractFromTarGz(response.body, file.path, file.contentType);
  if (!blob) throw new ApiError(404, "not_found", `${file.path} is not in the execution's artifacts.`);
  return blob;
}

/** Saves one file, read through the API with the page's credentials. */
export async function downloadArtifact(org: string, env: string, id: string, file: ArtifactFile) {
  saveBlob(await fetchArtifact(org, env, id, file), file.path.split("/").at(-1) ?? "artifact");
}

/** Downloads every file as a tar.gz, streamed by the API (token sign-in; a link otherwise). */
export async function downloadArchive(org: string, env: string, id: string) {
  const response = await archive(org, env, id);
  saveBlob(await response.blob(), `artifacts-${id}.tar.gz`);
}

/** A file's bytes for previews when signed in with a token (cookie sessions use the URL). */
export const useArtifactBlob = (org: string, env: string, id: string, file: ArtifactFile | undefined) =>
  useQuery({
    queryKey: ["envs", org, env, "executions", "one", id, "artifact-blob", file?.path],
    queryFn: ({ signal }) => fetchArtifact(org, env, id, file as ArtifactFile, signal),
    enabled: file !== undefined && readsThroughApi(),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 30_000,
  });

/** An object URL for a Blob, revoked when the Blob changes or the component goes. */
export function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) return setUrl(undefined);
    const next = URL.createObjectURL(blob);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [blob]);
  return url;
}

export const useReport = (org: string, env: string, id: string, finished: boolean) =>
  useQuery({
    queryKey: ["envs", org, env, "executions", "one", id, "report", finished],
    queryFn: ({ signal }) => call<TestReport>(`${base(org, env, id)}/report`, { signal }),
  });

export const useArtifacts = (org: string, env: string, id: string, finished: boolean) =>
  useQuery({
    queryKey: ["envs", org, env, "executions", "one", id, "artifacts", finished],
    queryFn: ({ signal }) => call<ArtifactListing>(`${base(org, env, id)}/artifacts`, { signal }),
  });
