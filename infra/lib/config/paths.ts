/**
 * Where the deployables live in the repository. Infra never imports runtime code: it points the
 * bundler (Lambda) and the image build (ingress) at these files.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (infra/lib/config -> ../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Lambda entry files, each exporting `handler`. */
export const lambdaEntries = {
  api: "functions/api/lambda.ts",
  /** The same app with response streaming, behind a Function URL (live log follows, archives). */
  "api-stream": "functions/api/lambda-stream.ts",
  cleanup: "functions/worker/entries/cleanup.ts",
  "compact-logs": "functions/worker/entries/compact-logs.ts",
  "unpack-artifacts": "functions/worker/entries/unpack-artifacts.ts",
  retention: "functions/worker/entries/retention.ts",
  insights: "functions/worker/entries/insights.ts",
  "webhook-events": "functions/worker/entries/webhook-events.ts",
  "webhook-delivery": "functions/worker/entries/webhook-delivery.ts",
  reaper: "functions/worker/entries/reaper.ts",
  schedules: "functions/worker/entries/schedules.ts",
  /** Hourly: one retention job per environment of every organization. */
  "retention-sweep": "functions/worker/entries/retention-sweep.ts",
} as const;
export type LambdaEntry = keyof typeof lambdaEntries;

/** The ingress container: Dockerfile (built with the repository root as context) and its ignore list. */
export const ingressImage = {
  dockerfile: "functions/ingress/Dockerfile",
  ignoreFile: "functions/ingress/Dockerfile.dockerignore",
} as const;

/** The built dashboard (Vite output); deployed only when it exists. */
export const webDist = "web/dist";
/** The agent's npm tarball (agent/scripts/pack.ts), served from the web bucket at /agent/. */
export const agentPackage = "agent/dist-package";

/** Absolute path of a repository-relative path. */
export const fromRoot = (path: string): string => join(repoRoot, path);

/** Entries that do not exist yet (bundling them would fail). */
export const missingEntries = (): LambdaEntry[] =>
  (Object.keys(lambdaEntries) as LambdaEntry[]).filter((name) => !existsSync(fromRoot(lambdaEntries[name])));
