/**
 * BlobStore over S3 (logs and artifacts). Keys are plain `/`-separated paths; the bucket comes
 * from config. Presigned URLs are minted by a separate client when the public endpoint differs
 * from the one the server uses (e.g. an agent on another host in local mode).
 */

import { AppError } from "@assay/shared";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { BlobStore } from "../../core/ports.ts";

export interface S3ClientOptions {
  region: string;
  /** A stand-in's endpoint (fauxqs); omit for AWS. Turns on path-style addressing. */
  endpoint?: string;
  credentials?: S3ClientConfig["credentials"];
}

/**
 * An S3 client configured for Assay. Checksums are computed only where an operation requires
 * them: the SDK's default "when supported" put an empty-body CRC into presigned PUT URLs (the
 * upload then fails) and corrupted streamed bodies on a stand-in; integrity of uploaded bundles
 * is checked when they are unpacked.
 */
export const createS3Client = (options: S3ClientOptions): S3Client =>
  new S3Client({
    region: options.region,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Client used to presign URLs (default: `client`). */
  presignClient?: S3Client;
  /** Create the bucket when missing (local mode and tests; in AWS the stack owns it). */
  createBucket?: boolean;
  /** Keys per ListObjectsV2 / DeleteObjects call (default and maximum 1000). */
  batchSize?: number;
}

const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const checkKey = (key: string): void => {
  if (key.length === 0 || key.startsWith("/") || key.length > 1024) {
    throw new AppError("invalid_argument", "blob keys are 1-1024 characters without a leading slash");
  }
};

const checkExpiry = (seconds: number): void => {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
    throw new AppError("invalid_argument", `presigned URLs expire in 1 to ${MAX_PRESIGN_SECONDS} seconds`);
  }
};

const checkPart = (partNumber: number): void => {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
    throw new AppError("invalid_argument", "part numbers are 1 to 10000");
  }
};

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

const isMissing = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === "NoSuchKey" || error.name === "NotFound" || statusOf(error) === 404);

const ensureBucket = async (client: S3Client, bucket: string): Promise<void> => {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!isMissing(error) && !(error instanceof Error && error.name === "NoSuchBucket")) throw error;
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (createError) {
      const name = createError instanceof Error ? createError.name : "";
      if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw createError;
    }
  }
};

/** Creates a BlobStore over one bucket (creating the bucket first when asked to). */
export const createS3BlobStore = async (options: S3BlobStoreOptions): Promise<BlobStore> => {
  const { client, bucket } = options;
  const presigner = options.presignClient ?? client;
  const batchSize = Math.min(Math.max(options.batchSize ?? 1000, 1), 1000);
  if (options.createBucket === true) await ensureBucket(client, bucket);

  const exists = async (key: string): Promise<boolean> => {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  };

  return {
    async put(key, body, putOptions) {
      checkKey(key);
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ...(putOptions?.contentType === undefined ? {} : { ContentType: putOptions.contentType }),
        }),
      );
    },

    async get(key, range) {
      checkKey(key);
      if (range !== undefined) {
        const { start, end } = range;
        if (
          !Number.isSafeInteger(start) ||
          start < 0 ||
          (end !== undefined && (!Number.isSafeInteger(end) || end < start))
        ) {
          throw new AppError("invalid_argument", "a byte range needs 0 <= start <= end");
        }
        // An empty range is valid, but S3 cannot express it: answer it from existence alone.
        if (end === start) return (await exists(key)) ? new Uint8Array(0) : undefined;
      }
      try {
        const response = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(range === undefined
              ? {}
              : { Range: `bytes=${range.start}-${range.end === undefined ? "" : range.end - 1}` }),
          }),
        );
        if (response.Body === undefined) return new Uint8Array(0);
        return await response.Body.transformToByteArray();
      } catch (error) {
        if (isMissing(error)) return undefined;
        // A range starting at or past the end of an existing object (e.g. reading from the
        // committed log offset when nothing new arrived) is just empty.
        if (range !== undefined && (statusOf(error) === 416 || (error as Error).name === "InvalidRange")) {
          return (await exists(key)) ? new Uint8Array(0) : undefined;
        }
        throw error;
      }
    },

    async list(prefix) {
      const found: Array<{ key: string; size: number }> = [];
      const pages = paginateListObjectsV2(
        { client, pageSize: batchSize },
        { Bucket: bucket, Prefix: prefix, MaxKeys: batchSize },
      );
      for await (const page of pages) {
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) found.push({ key: object.Key, size: object.Size ?? 0 });
        }
      }
      // S3 already lists in UTF-8 binary order; sorting keeps the promise for every stand-in.
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },

    async delete(keys) {
      for (const key of keys) checkKey(key);
      for (let i = 0; i < keys.length; i += batchSize) {
        const batch = keys.slice(i, i + batchSize);
        const { Errors } = await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failures = (Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failures.length > 0) {
          throw new AppError("unavailable", `could not delete ${failures.length} objects`, {
            cause: failures.map((e) => `${e.Key}: ${e.Code}`).join(", "),
          });
        }
      }
    },

    async presignPut(key, expiresInSeconds, options = {}) {
      checkKey(key);
      checkExpiry(expiresInSeconds);
      const { contentLength } = options;
      // A signed Content-Length makes S3 refuse a body of any other size.
      return getSignedUrl(
        presigner,
        new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: contentLength }),
        {
          expiresIn: expiresInSeconds,
          ...(contentLength === undefined ? {} : { signableHeaders: new Set(["content-length"]) }),
        },
      );
    },

    async head(key) {
      checkKey(key);
      try {
        const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return response.ContentLength ?? 0;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async getStream(key) {
      checkKey(key);
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        // In Node the SDK's body is a Readable, which is an async iterable of chunks.
        return (response.Body as AsyncIterable<Uint8Array> | undefined) ?? (async function* () {})();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async createMultipart(key, multipartOptions) {
      checkKey(key);
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ...(multipartOptions?.contentType === undefined
            ? {}
            : { ContentType: multipartOptions.contentType }),
        }),
      );
      if (UploadId === undefined) throw new AppError("unavailable", "the storage returned no upload id");
      return UploadId;
    },

    async presignUploadPart(key, uploadId, partNumber, expiresInSeconds) {
      checkKey(key);
      checkPart(partNumber);
      checkExpiry(expiresInSeconds);
      return getSignedUrl(
        presigner,
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
        { expiresIn: expiresInSeconds },
      );
    },

    async uploadPart(key, uploadId, partNumber, body) {
      checkKey(key);
      checkPart(partNumber);
      const { ETag } = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
        }),
      );
      if (ETag === undefined) throw new AppError("unavailable", "the storage returned no part ETag");
      return ETag;
    },

    async completeMultipart(key, uploadId, parts) {
      checkKey(key);
      try {
        await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
        );
      } catch (error) {
        const name = error instanceof Error ? error.name : "";
        if (name === "NoSuchUpload") throw new AppError("not_found", `upload ${uploadId} does not exist`);
        if (name === "InvalidPart" || name === "InvalidPartOrder" || name === "EntityTooSmall") {
          throw new AppError("invalid_argument", `the upload's parts are not valid (${name})`);
        }
        throw error;
      }
    },

    async abortMultipart(key, uploadId) {
      checkKey(key);
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      } catch (error) {
        if ((error instanceof Error && error.name === "NoSuchUpload") || isMissing(error)) return;
        throw error;
      }
    },

    async presignGet(key, expiresInSeconds) {
      checkKey(key);
      checkExpiry(expiresInSeconds);
      return getSignedUrl(presigner, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: expiresInSeconds,
      });
    },
  };
};
