/**
 * An execution's results: the JUnit report and the artifact tree. Files are fetched by the
 * browser itself (links, <img>, sandboxed <iframe>): the API answers with a redirect to a
 * short-lived URL of that one object, so bytes never pass through the API. That needs the
 * session cookie; a tab signed in with an API token cannot attach its Bearer header to them.
 */
import type { ArtifactListing, TestReport } from "@assay/shared";
import { useQuery } from "@tanstack/react-query";
import { call, enc, envPath } from "../../../api/client.ts";

const base = (org: string, env: string, id: string) => `${envPath(org, env)}/executions/${enc(id)}`;

export const artifactUrl = (org: string, env: string, id: string, path: string) =>
  `${base(org, env, id)}/artifacts/${path.split("/").map(enc).join("/")}`;

export const artifactsArchiveUrl = (org: string, env: string, id: string) =>
  `${base(org, env, id)}/artifacts.tar.gz`;

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
