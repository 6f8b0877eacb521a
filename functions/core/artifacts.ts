/**
 * Artifacts of executions in object storage, under `artifacts/{org}/{env}/{exec}/`:
 *
 *   bundles/{bundle}.tar.gz   what the agent uploaded (presigned PUT or multipart)
 *   files/{path}              the unpacked files (see unpack.ts)
 *   index/{bundle}.json       per bundle: its files (path, size, type, sha256) or why it was refused
 *   report/{bundle}.json      per bundle: test suites parsed from its JUnit files
 *
 * Per-bundle records mean concurrent unpacks of two steps' bundles never write the same object,
 * and a redelivered job rewrites exactly what it wrote before. Readers merge them.
 *
 * Uploads: the agent asks over its stream for URLs (`grantUpload`); bundles up to
 * `singlePutBytes` get one presigned PUT, larger ones a multipart upload with one presigned URL
 * per part. A multipart upload is resumed by its id after a reconnect. The declared size is
 * recorded with the grant (bundle-grants.ts) and signed into the single PUT URL; `completeUpload`
 * checks the object against the granted size, deletes a bundle it refuses, and queues the
 * unpack job. Each execution may hold the plan's number of bundles.
 */
import {
  AppError,
  type ArtifactFile,
  type ArtifactListing,
  BundleIndex,
  type TestReport,
  TestSuite,
  toArtifactTree,
} from "@assay/shared";
import * as z from "zod";
import { createBundleGrants } from "./bundle-grants.ts";
import { countCases } from "./junit.ts";
import type { ExecutionRef } from "./ports/refs.ts";
import type { BlobStore, Clock, JobQueue, OrgStore } from "./ports.ts";
import { type StorageLimits, storageLimitsOf } from "./storage-limits.ts";

export const artifactPrefix = ({ orgId, envId, id }: ExecutionRef) => `artifacts/${orgId}/${envId}/${id}/`;
export const bundleKey = (prefix: string, bundleId: string) => `${prefix}bundles/${bundleId}.tar.gz`;
export const fileKey = (prefix: string, path: string) => `${prefix}files/${path}`;
export const indexKey = (prefix: string, bundleId: string) => `${prefix}index/${bundleId}.json`;
export const reportKey = (prefix: string, bundleId: string) => `${prefix}report/${bundleId}.json`;

export const BundleId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, "1-64 of A-Z a-z 0-9 . _ -")
  .refine((id) => !/^\.+$/.test(id), "not only dots");

/** The bundle id, or `invalid_argument` naming what is wrong with it. */
export function parseBundleId(value: string): string {
  const parsed = BundleId.safeParse(value);
  if (parsed.success) return parsed.data;
  const why = parsed.error.issues[0]?.message ?? "invalid";
  throw new AppError("invalid_argument", `bundle id ${JSON.stringify(value.slice(0, 80))} must be ${why}`, {
    issues: [{ path: "bundleId", message: why }],
  });
}

/** The per-bundle report record. */
export const BundleReport = z.object({
  suites: z.array(TestSuite),
  unreadable: z.array(z.object({ source: z.string(), reason: z.string() })).default([]),
});
export type BundleReport = z.infer<typeof BundleReport>;

export interface ArtifactConfig {
  /** Bundles up to this size get one PUT URL (default 8 MiB); larger ones go multipart. */
  singlePutBytes: number;
  /** Smallest part size (default 8 MiB); grows so no upload needs more than 10,000 parts. */
  partBytes: number;
  /** Lifetime of upload URLs in seconds (default 15 min); agents ask again when they expire. */
  uploadUrlSeconds: number;
}

export interface UploadRequest {
  bundleId: string;
  stepRef: string;
  sizeBytes: number;
  uploadId: string;
  partNumbers: number[];
}

export interface UploadGrant {
  putUrl: string;
  uploadId: string;
  partSizeBytes: number;
  parts: Array<{ partNumber: number; url: string }>;
  expiresAtMs: number;
}

export interface UploadCompletion {
  bundleId: string;
  stepRef: string;
  uploadId: string;
  parts: Array<{ partNumber: number; etag: string }>;
  sizeBytes: number;
  sha256: string;
}

const parseJson = <T>(schema: z.ZodType<T>, bytes: Uint8Array | undefined): T | undefined =>
  bytes === undefined ? undefined : schema.parse(JSON.parse(new TextDecoder().decode(bytes)));

export function createArtifactService(deps: {
  blobs: BlobStore;
  jobs: JobQueue;
  orgStore: Pick<OrgStore, "getOrg">;
  clock: Clock;
  config?: Partial<ArtifactConfig>;
  /** The limits that apply to an organization (default: by its plan). */
  limitsOf?: (orgId: string) => Promise<StorageLimits>;
}) {
  const { blobs, jobs, clock } = deps;
  const config: ArtifactConfig = {
    singlePutBytes: 8 * 1024 * 1024,
    partBytes: 8 * 1024 * 1024,
    uploadUrlSeconds: 15 * 60,
    ...deps.config,
  };
  const partSizeFor = (size: number) => Math.max(config.partBytes, Math.ceil(size / 10_000));
  const limitsFor =
    deps.limitsOf ?? (async (orgId: string) => storageLimitsOf((await deps.orgStore.getOrg(orgId))?.plan));
  const grants = createBundleGrants(blobs);

  async function readIndexes(prefix: string): Promise<BundleIndex[]> {
    const keys = (await blobs.list(`${prefix}index/`)).map((o) => o.key).filter((k) => k.endsWith(".json"));
    const out: BundleIndex[] = [];
    for (const key of keys) {
      const index = parseJson(BundleIndex, await blobs.get(key));
      if (index) out.push(index);
    }
    // Oldest first, so a later bundle's file at the same path wins the merge.
    return out.sort((a, b) => a.unpackedAt.localeCompare(b.unpackedAt));
  }

  return {
    /** The artifact bucket (downloads stream or presign from it). */
    blobs,
    config,
    limitsFor,
    readIndexes,

    /** Presigned URLs for one bundle; throws `invalid_argument` / `resource_exhausted` when refused. */
    async grantUpload(ref: ExecutionRef, req: UploadRequest): Promise<UploadGrant> {
      const bundleId = parseBundleId(req.bundleId);
      const limits = await limitsFor(ref.orgId);
      if (req.sizeBytes > limits.bundleBytes) {
        throw new AppError(
          "resource_exhausted",
          `bundle of ${req.sizeBytes} bytes exceeds the plan's ${limits.bundleBytes}`,
        );
      }
      const prefix = artifactPrefix(ref);
      const key = bundleKey(prefix, bundleId);
      const grantedAt = new Date(clock.now()).toISOString();
      await grants.record(
        prefix,
        bundleId,
        { sizeBytes: req.sizeBytes, grantedAt },
        limits.bundlesPerExecution,
      );
      const expiresAtMs = clock.now() + config.uploadUrlSeconds * 1000;
      if (req.sizeBytes <= config.singlePutBytes) {
        // The size is signed into the URL: storage refuses a body of any other length.
        const putUrl = await blobs.presignPut(key, config.uploadUrlSeconds, { contentLength: req.sizeBytes });
        return { putUrl, uploadId: "", partSizeBytes: req.sizeBytes, parts: [], expiresAtMs };
      }
      const partSizeBytes = partSizeFor(req.sizeBytes);
      const count = Math.ceil(req.sizeBytes / partSizeBytes);
      const uploadId =
        req.uploadId || (await blobs.createMultipart(key, { contentType: "application/gzip" }));
      const wanted =
        req.partNumbers.length > 0
          ? req.partNumbers.filter((n) => n >= 1 && n <= count)
          : Array.from({ length: count }, (_, i) => i + 1);
      const parts = await Promise.all(
        wanted.map(async (partNumber) => ({
          partNumber,
          url: await blobs.presignUploadPart(key, uploadId, partNumber, config.uploadUrlSeconds),
        })),
      );
      return { putUrl: "", uploadId, partSizeBytes, parts, expiresAtMs };
    },

    /**
     * Makes the uploaded bundle whole (completes a multipart upload) and queues its unpacking.
     * Idempotent: completing an already completed upload finds the object and queues again.
     */
    async completeUpload(ref: ExecutionRef, done: UploadCompletion): Promise<void> {
      const bundleId = parseBundleId(done.bundleId);
      const prefix = artifactPrefix(ref);
      const key = bundleKey(prefix, bundleId);
      const grant = await grants.get(prefix, bundleId);
      if (!grant) {
        await blobs.delete([key]);
        throw new AppError("invalid_argument", `bundle ${bundleId} was never granted an upload: ask first`);
      }
      if (done.uploadId) {
        const parts = [...done.parts].sort((a, b) => a.partNumber - b.partNumber);
        try {
          await blobs.completeMultipart(key, done.uploadId, parts);
        } catch (error) {
          // A repeated completion (the ack was lost in a reconnect) finds the upload gone.
          if (!(error instanceof AppError && error.code === "not_found")) throw error;
        }
      }
      const size = await blobs.head(key);
      if (size === undefined) throw new AppError("not_found", `bundle ${bundleId} was not uploaded`);
      if (size > grant.sizeBytes) {
        // Bytes beyond what was granted (and checked against the plan) are never kept.
        await blobs.delete([key]);
        throw new AppError(
          "resource_exhausted",
          `bundle ${bundleId} has ${size} bytes, more than the ${grant.sizeBytes} granted: deleted`,
        );
      }
      if (size !== done.sizeBytes || size !== grant.sizeBytes) {
        throw new AppError(
          "failed_precondition",
          `bundle ${bundleId} has ${size} bytes, expected ${grant.sizeBytes}`,
        );
      }
      await jobs.send({
        kind: "unpack-artifacts",
        id: `${ref.id}.${bundleId}`,
        payload: {
          orgId: ref.orgId,
          envId: ref.envId,
          executionId: ref.id,
          bundleId,
          stepRef: done.stepRef,
          sha256: done.sha256,
        },
      });
    },

    /** Every unpacked file (later bundles win a path), the bundles and the tree. */
    async list(ref: ExecutionRef): Promise<ArtifactListing> {
      const prefix = artifactPrefix(ref);
      const [indexes, uploaded] = await Promise.all([readIndexes(prefix), blobs.list(`${prefix}bundles/`)]);
      const processed = new Set(indexes.map((i) => i.bundleId));
      const pending = uploaded
        .map((o) => o.key.slice(`${prefix}bundles/`.length).replace(/\.tar\.gz$/, ""))
        .filter((bundleId) => !processed.has(bundleId));
      const byPath = new Map<string, ArtifactFile>();
      for (const index of indexes) for (const file of index.files) byPath.set(file.path, file);
      const files = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
      return {
        files,
        bundles: indexes.map(({ files: _files, ...rest }) => rest),
        pending,
        totalBytes: files.reduce((sum, f) => sum + f.size, 0),
        tree: toArtifactTree(files),
      };
    },

    /** The storage key of one unpacked file, or `not_found`. */
    async fileKeyOf(ref: ExecutionRef, path: string): Promise<ArtifactFile & { key: string }> {
      const listing = await this.list(ref);
      const file = listing.files.find((f) => f.path === path);
      if (!file) throw new AppError("not_found", `artifact ${path} not found`);
      return { ...file, key: fileKey(artifactPrefix(ref), file.path) };
    },

    /** The merged test report of the execution's JUnit files. */
    async report(ref: ExecutionRef): Promise<TestReport> {
      const prefix = artifactPrefix(ref);
      const suites: TestReport["suites"] = [];
      const unreadable: TestReport["unreadable"] = [];
      for (const { key } of await blobs.list(`${prefix}report/`)) {
        const part = parseJson(BundleReport, await blobs.get(key));
        if (!part) continue;
        suites.push(...part.suites);
        unreadable.push(...part.unreadable);
      }
      return {
        counts: countCases(suites.flatMap((s) => s.cases)),
        durationMs: suites.reduce((sum, s) => sum + s.durationMs, 0),
        suites,
        unreadable,
      };
    },

    /** Removes every artifact object of the execution (bundles, files, indexes, reports). */
    async remove(ref: ExecutionRef): Promise<void> {
      const keys = await blobs.list(artifactPrefix(ref));
      await blobs.delete(keys.map((k) => k.key));
    },
  };
}

export type ArtifactService = ReturnType<typeof createArtifactService>;
