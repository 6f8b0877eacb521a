/**
 * Object storage for logs and artifacts, as this process reads and writes it. Keys are
 * `/`-separated, without a leading slash.
 */
export interface ObjectStore {
  put(key: string, body: Uint8Array, options?: { contentType?: string }): Promise<void>;
  /** Whole object, or undefined if missing. `range` is an inclusive-exclusive byte range. */
  get(key: string, range?: { start: number; end?: number }): Promise<Uint8Array | undefined>;
  /** All keys under a prefix, in lexicographic order, with sizes in bytes. */
  list(prefix: string): Promise<Array<{ key: string; size: number }>>;
  /** Deletes the keys (missing keys are fine). */
  delete(keys: string[]): Promise<void>;
  /** Size in bytes of the object, or undefined when it is missing. */
  head(key: string): Promise<number | undefined>;
  /** The object's bytes as a stream (large objects), or undefined when it is missing. */
  getStream(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Starts a multipart upload of `key`; returns its upload id. Parts are 5 MiB or more, but the last. */
  createMultipart(key: string, options?: { contentType?: string }): Promise<string>;
  /** Uploads one part from this process; returns the part's ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string>;
  /**
   * Assembles the parts (ascending part numbers, with the ETags their PUTs returned) into the
   * object. Throws `not_found` when the upload does not exist (aborted, or already completed),
   * `invalid_argument` when a part is missing or its ETag differs.
   */
  completeMultipart(
    key: string,
    uploadId: string,
    parts: Array<{ partNumber: number; etag: string }>,
  ): Promise<void>;
  /** Abandons the upload and its stored parts; a missing upload is fine. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
}

/**
 * Grants to move one object's bytes without them passing through this process: presigned URLs
 * scoped to one key (or one part of a multipart upload), expiring in seconds.
 */
export interface UploadGrants {
  /**
   * A URL that allows one PUT of that key for `expiresInSeconds`; with `contentLength`, only of
   * a body of exactly that many bytes (the length is signed).
   */
  presignPut(key: string, expiresInSeconds: number, options?: { contentLength?: number }): Promise<string>;
  /** A URL that allows GET of that key for `expiresInSeconds`. */
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  /** A URL that allows one PUT of part `partNumber` (1-10000) of the upload for `expiresInSeconds`. */
  presignUploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSeconds: number,
  ): Promise<string>;
}

/** An object store that also grants transfers (what one bucket's adapter implements). */
export interface BlobStore extends ObjectStore, UploadGrants {}
