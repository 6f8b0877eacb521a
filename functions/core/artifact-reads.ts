/**
 * Reading an execution's artifacts for whoever asks: the listing, the test report, every file as
 * one tar stream, one file's bytes or a short-lived URL to them. Every read is authorized here
 * (`read` in the execution's environment; an execution of another organization or environment
 * is `not_found`) before anything is read from storage.
 */
import { AppError, type ArtifactFile, type ArtifactListing, type TestReport } from "@assay/shared";
import { authorize, type Principal } from "./access.ts";
import { type ArtifactService, artifactPrefix, fileKey } from "./artifacts.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import type { ExecutionStore, ObjectStore, UploadGrants } from "./ports.ts";

/** One artifact file the caller may read: its record, its bytes and a URL to them. */
export interface ArtifactFileRead extends ArtifactFile {
  /** The file's bytes (undefined once they are gone from storage). */
  open(): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** A URL that serves the file for `seconds`, scoped to this one object. */
  url(seconds: number): Promise<string>;
}

export function createArtifactReads(deps: {
  artifacts: Pick<ArtifactService, "list" | "report" | "fileKeyOf">;
  /** The artifact bucket's objects (downloads stream from it). */
  blobs: Pick<ObjectStore, "getStream">;
  /** Download URLs scoped to one object. */
  grants: Pick<UploadGrants, "presignGet">;
  executions: Pick<ExecutionStore, "get">;
}) {
  const { artifacts, blobs, grants } = deps;

  /** Throws unless `principal` may read in the execution's environment and the execution exists. */
  async function allow(principal: Principal, ref: ExecutionRef): Promise<void> {
    authorize(principal, "read", ref);
    const execution = await deps.executions.get({ orgId: ref.orgId, envId: ref.envId, id: ref.id });
    if (!execution) throw new AppError("not_found", `execution ${ref.id} not found`);
  }

  return {
    /** Every unpacked file, the bundles and the tree. */
    async list(principal: Principal, ref: ExecutionRef): Promise<ArtifactListing> {
      await allow(principal, ref);
      return artifacts.list(ref);
    },

    /** The merged test report of the execution's JUnit files. */
    async report(principal: Principal, ref: ExecutionRef): Promise<TestReport> {
      await allow(principal, ref);
      return artifacts.report(ref);
    },

    /** Every file as one (uncompressed) tar stream, read from storage as it is consumed. */
    async archive(principal: Principal, ref: ExecutionRef): Promise<AsyncIterable<Uint8Array>> {
      await allow(principal, ref);
      const { files } = await artifacts.list(ref);
      const prefix = artifactPrefix(ref);
      // The tar writer is loaded by the first archive, not at start.
      const { tarStream } = await import("./tar-writer.ts");
      return tarStream(
        files.map((f) => ({
          path: f.path,
          size: f.size,
          open: () => blobs.getStream(fileKey(prefix, f.path)),
        })),
      );
    },

    /** One file by its path inside the artifacts, or `not_found`. */
    async file(principal: Principal, ref: ExecutionRef, path: string): Promise<ArtifactFileRead> {
      await allow(principal, ref);
      const { key, ...file } = await artifacts.fileKeyOf(ref, path);
      return {
        ...file,
        open: () => blobs.getStream(key),
        url: (seconds) => grants.presignGet(key, seconds),
      };
    },
  };
}

export type ArtifactReads = ReturnType<typeof createArtifactReads>;
