/**
 * Collects one step's artifacts: pack (pack.ts) into a temporary bundle outside the workspace,
 * upload (uploader.ts), remove the bundle. Runs after the step, whatever its outcome, and
 * reports into the step's log; a failed collection is a warning, never a test failure.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "@assay/shared/time";
import { isDataPath, mapDataPath } from "@assay/shared/workflow";
import { packArtifacts } from "./pack.ts";
import type { Uploader } from "./uploader.ts";

/** What the runner passes for a step with `artifacts`. */
export interface ArtifactRequest {
  executionId: string;
  stepRef: string;
  /** The execution's workspace. */
  workspace: string;
  /** The step's working directory (already mapped onto the workspace). */
  cwd: string;
  paths: string[];
  /** `artifacts.workingDir`, as written. */
  workingDir?: string | undefined;
  /** Secret values to mask in text files (resolved secrets, sensitive config). */
  secrets?: readonly string[] | undefined;
  /** Writes a line into the step's log. */
  log(line: string): void;
}

/** Bundle ids are step refs (`r2.1`), unique in an execution and safe as object names. */
export const bundleIdOf = (stepRef: string) => stepRef.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "run";

export function createArtifactCollector(options: { uploader: Uploader; spoolDir: string; clock: Clock }) {
  const { clock } = options;
  return async (request: ArtifactRequest): Promise<void> => {
    const started = clock.now();
    const base =
      request.workingDir === undefined || request.workingDir === ""
        ? request.cwd
        : isDataPath(request.workingDir)
          ? mapDataPath(request.workingDir, request.workspace)
          : join(request.cwd, request.workingDir);
    const bundleId = bundleIdOf(request.stepRef);
    await mkdir(options.spoolDir, { recursive: true });
    const outFile = join(options.spoolDir, `${request.executionId}-${bundleId}.tar.gz`);
    try {
      const packed = await packArtifacts({
        workspace: request.workspace,
        base,
        patterns: request.paths,
        outFile,
        secrets: request.secrets,
      });
      for (const warning of packed.warnings) request.log(`[assay] warning: ${warning}`);
      if (packed.file === undefined) return request.log("[assay] artifacts: nothing to upload");
      if (packed.masked > 0)
        request.log(`[assay] artifacts: secret values masked in ${packed.masked} text file(s)`);
      const outcome = await options.uploader.upload({
        executionId: request.executionId,
        bundleId,
        stepRef: request.stepRef,
        file: packed.file,
        sizeBytes: packed.sizeBytes,
        sha256: packed.sha256,
      });
      const seconds = ((clock.now() - started) / 1000).toFixed(1);
      request.log(
        outcome.ok
          ? `[assay] artifacts: uploaded ${packed.matched} path(s), ${packed.sizeBytes} bytes compressed, in ${seconds} s`
          : `[assay] warning: artifacts not uploaded: ${outcome.reason}`,
      );
    } catch (error) {
      request.log(`[assay] warning: artifacts not collected: ${(error as Error).message}`);
    } finally {
      await rm(outFile, { force: true });
    }
  };
}

export type ArtifactCollector = ReturnType<typeof createArtifactCollector>;
